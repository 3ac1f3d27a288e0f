{{ config(
    materialized='incremental',
    incremental_strategy='lookback',
    lookback_column='round_date',
    unique_key='round_id'
) }}

{#-
    One row per response round (docs/metrics.md §4): within the human phase of one session, messages ordered by time
    then id, robot / system / auto replies ignored, a maximal run of buyer messages plus the first manual agent message
    after it in the same session. Dated by the round's first buyer message; a reply after midnight still answers it.
    Unanswered (no manual agent message later in the session) = replied_at null.
-#}
with human_phase as (
    -- on an incremental run: whole sessions with a message inside the look-back
    {{ human_phase_of_recent_sessions() }}
),

sessions as (
    select * from {{ ref('stg_kefu__sessions') }}
),

receptions as (
    select * from {{ ref('int_receptions__classified') }}
),

message_stream as (
    -- buyer and manual agent messages; replies_before (int_messages__human_phase): manual agent messages earlier in
    -- the session, ordered by time then id
    select
        human_phase.message_id,
        human_phase.session_id,
        human_phase.reception_id,
        human_phase.platform,
        human_phase.shop_id,
        human_phase.agent_id,
        human_phase.buyer_key,
        human_phase.effective_at,
        human_phase.is_buyer_message,
        human_phase.replies_before
    from human_phase
    where human_phase.is_buyer_message or human_phase.is_manual_agent_message
),

rounds_by_replies as (
    -- one group per (session, replies_before = k): the maximal run of buyer messages with k agent messages before
    -- them, and the agent message with exactly k before it = the first reply after that run (none for the last run)
    select
        session_id,
        replies_before,
        {{ arg_min_of('message_id', ordering_key(['effective_at', 'message_id'])) }}
        filter (where is_buyer_message) as first_message_id,
        {{ arg_min_of('reception_id', 'effective_at') }} filter (where is_buyer_message) as reception_id,
        any_value(platform) as platform,
        any_value(shop_id) as shop_id,
        any_value(agent_id) as agent_id,
        any_value(buyer_key) as buyer_key,
        min(effective_at) filter (where is_buyer_message) as round_start_at,
        min(effective_at) filter (where not is_buyer_message) as replied_at,
        count(*) filter (where is_buyer_message) as buyer_message_count
    from message_stream
    group by session_id, replies_before
),

rounds as (
    select
        *,
        row_number() over (partition by session_id order by replies_before) as round_number
    from rounds_by_replies
    where buyer_message_count > 0
),

final as (
    select
        rounds.first_message_id as round_id,
        rounds.session_id,
        rounds.reception_id,
        rounds.platform,
        rounds.shop_id,
        rounds.agent_id,
        rounds.buyer_key,
        cast(rounds.round_start_at as date) as round_date,
        rounds.round_number,
        rounds.round_start_at,
        rounds.replied_at,
        {{ seconds_between('rounds.round_start_at', 'rounds.replied_at') }} as response_seconds,
        rounds.buyer_message_count,
        sessions.ended_at as session_ended_at,
        coalesce(receptions.is_filtered, false) as is_filtered_reception,
        receptions.initiated_by as reception_initiated_by,
        rounds.replied_at is not null as is_answered,
        {{ in_time_window('rounds.round_start_at', shop_rule('assessment_start_seconds'),
                          shop_rule('assessment_end_seconds')) }} as is_in_assessment_window,
        {{ in_time_window('rounds.round_start_at', shop_rule('assessment_start_seconds'),
                          time_of_day_seconds('douyin_assessment_end')) }}
            as is_in_douyin_window,
        coalesce(
            {{ seconds_between('rounds.round_start_at', 'rounds.replied_at') }}
            <= {{ shop_rule('response_deadline_seconds') }},
            false
        ) as is_within_deadline,
        coalesce(
            {{ seconds_between('rounds.round_start_at', 'rounds.replied_at') }} > {{ shop_rule('slow_reply_seconds') }},
            false
        ) as is_slow
    from rounds
    inner join sessions
        on rounds.session_id = sessions.session_id
    left join receptions
        on rounds.reception_id = receptions.reception_id
    {{ join_shop_rules('rounds.platform', 'rounds.shop_id', 'cast(rounds.round_start_at as date)') }}
    where {{ incremental_window('cast(rounds.round_start_at as date)') }}
)

select * from final
