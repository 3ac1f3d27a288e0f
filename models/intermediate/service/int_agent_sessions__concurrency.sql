{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='load_date') }}

{#-
    One row per (agent, business date) with open human-phase sessions (docs/metrics.md §5): max_concurrent_sessions
    (最大同时接待量), occupied_seconds (time with ≥ 1 open session) and open_session_seconds (the time integral of open
    sessions, so mean open sessions over a period = open_session_seconds ÷ its length). A session is open from its
    first human-phase message to its end (ended_at, or its last message when later or when ended_at is null);
    intervals are clipped at midnight.
    Incremental: every session open on or after the look-back start (a message, or its end, from that date on) is
    taken whole, and the days from that start on are kept.
-#}
with sessions as (
    select * from {{ ref('stg_kefu__sessions') }}
),

human_phase as (
    {{ human_phase_of_recent_sessions(ended_sessions='sessions') }}
),

open_intervals as (
    select
        human_phase.session_id,
        human_phase.platform,
        human_phase.shop_id,
        human_phase.agent_id,
        min(human_phase.effective_at) as opened_at,
        greatest(max(human_phase.effective_at), coalesce(max(sessions.ended_at), max(human_phase.effective_at)))
            as closed_at
    from human_phase
    inner join sessions
        on human_phase.session_id = sessions.session_id
    group by human_phase.session_id, human_phase.platform, human_phase.shop_id, human_phase.agent_id
),

pieces as (
    select
        *,
        {{ day_pieces('opened_at', 'closed_at') }} as piece_date
    from open_intervals
),

clipped as (
    select
        platform,
        shop_id,
        agent_id,
        cast(piece_date as date) as load_date,
        greatest(opened_at, {{ day_start('piece_date') }}) as piece_start_at,
        least(closed_at, {{ day_start('piece_date', 1) }}) as piece_end_at
    from pieces
    where {{ incremental_window('cast(piece_date as date)') }}
),

load as (
    {{ interval_load('clipped', ['platform', 'shop_id', 'agent_id', 'load_date'], 'piece_start_at', 'piece_end_at') }}
),

final as (
    select
        platform,
        shop_id,
        agent_id,
        load_date,
        max_open as max_concurrent_sessions,
        open_seconds_above as occupied_seconds,
        open_interval_seconds as open_session_seconds
    from load
)

select * from final
