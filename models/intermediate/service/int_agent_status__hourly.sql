{#-
    One row per (agent, clock hour) with online time: online_seconds (status online or busy, 旺旺在线) inside
    [hour_start_at, hour_start_at + 1 hour). The same intervals as int_agent_status__daily (an open interval runs
    until as_of), clipped at every full hour instead of at midnight: 09:30–11:15 gives 1800, 3600 and 900 s.
-#}
with intervals as (
    {{ agent_status_intervals() }}
),

agents as (
    select * from {{ ref('stg_kefu__agents') }}
),

pieces as (
    select
        agent_id,
        started_at,
        ended_at,
        {{ hour_pieces('started_at', 'ended_at') }} as piece_hour_at
    from intervals
    where status in ('online', 'busy')
),

clipped as (
    select
        agent_id,
        cast(piece_hour_at as timestamp) as hour_start_at,
        {{ seconds_between(
            'greatest(started_at, cast(piece_hour_at as timestamp))',
            'least(ended_at, ' ~ dbt.dateadd('hour', 1, 'cast(piece_hour_at as timestamp)') ~ ')') }} as piece_seconds
    from pieces
),

final as (
    select
        agents.platform,
        agents.shop_id,
        clipped.agent_id,
        clipped.hour_start_at,
        cast(clipped.hour_start_at as date) as status_date,
        sum(clipped.piece_seconds) as online_seconds
    from clipped
    inner join agents
        on clipped.agent_id = agents.agent_id
    where clipped.piece_seconds > 0
    group by agents.platform, agents.shop_id, clipped.agent_id, clipped.hour_start_at
)

select * from final
