{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='session_date') }}

{#-
    One row per buyer-initiated session with at least one round starting in the 飞鸽 window [assessment_start,
    douyin_assessment_end) (session_id): the session's agent, date (its first human-phase buyer or manual agent
    message), window rounds, those answered within the deadline and is_passed (飞鸽 3分钟人工回复率: every window
    round answered within the deadline). `where not is_passed` lists the sessions that missed the 3-minute reply,
    with the first missed round. Same sessions as agg_shop_daily_service.feige_session_count.
    Incremental: the sessions with a message from the look-back start on are computed whole (their rounds were
    recomputed with them), and those dated from that start on are kept.
-#}
with rounds as (
    -- a kept session's rounds start on or after its date
    select * from {{ ref('fct_response_rounds') }}
    where {{ incremental_window('round_date') }}
),

human_phase as (
    {{ human_phase_of_recent_sessions() }}
),

session_starts as (
    select
        session_id,
        {{ arg_min_of('is_buyer_message', 'effective_at') }} as is_buyer_initiated,
        cast(min(effective_at) as date) as session_date
    from human_phase
    where is_buyer_message or is_manual_agent_message
    group by session_id
),

window_rounds as (
    select
        rounds.*,
        session_starts.session_date
    from rounds
    inner join session_starts
        on rounds.session_id = session_starts.session_id
    where
        session_starts.is_buyer_initiated and rounds.is_in_douyin_window
        and {{ incremental_window('session_starts.session_date') }}
),

final as (
    select
        session_id,
        platform,
        shop_id,
        agent_id,
        session_date,
        count(*) as feige_round_count,
        count(*) filter (where is_within_deadline) as feige_rounds_within_deadline_count,
        count(*) filter (where not is_within_deadline) as missed_round_count,
        {{ arg_min_of('case when not is_within_deadline then round_id end', 'round_start_at') }}
            as first_missed_round_id,
        min(case when not is_within_deadline then round_start_at end) as first_missed_round_start_at,
        bool_and(is_within_deadline) as is_passed
    from window_rounds
    group by session_id, platform, shop_id, agent_id, session_date
)

select * from final
