{#-
    One row per (agent, business date) with status time: online_seconds (status online or busy, 旺旺在线), busy_seconds
    and away_seconds. Intervals are clipped at midnight (23:00–01:00 gives 3600 s to each day); an interval still open
    (ended_at null) runs until as_of, never the wall clock.
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
        status,
        started_at,
        ended_at,
        {{ day_pieces('started_at', 'ended_at') }} as piece_date
    from intervals
),

clipped as (
    select
        agent_id,
        status,
        cast(piece_date as date) as status_date,
        {{ seconds_between(
            'greatest(started_at, ' ~ day_start('piece_date') ~ ')',
            'least(ended_at, ' ~ day_start('piece_date', 1) ~ ')') }} as piece_seconds
    from pieces
),

final as (
    select
        agents.platform,
        agents.shop_id,
        clipped.agent_id,
        clipped.status_date,
        sum(case when clipped.status in ('online', 'busy') then clipped.piece_seconds else 0 end) as online_seconds,
        sum(case when clipped.status = 'busy' then clipped.piece_seconds else 0 end) as busy_seconds,
        sum(case when clipped.status = 'away' then clipped.piece_seconds else 0 end) as away_seconds
    from clipped
    inner join agents
        on clipped.agent_id = agents.agent_id
    where clipped.piece_seconds > 0
    group by agents.platform, agents.shop_id, clipped.agent_id, clipped.status_date
)

select * from final
