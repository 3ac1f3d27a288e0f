{#-
    One row per agent and calendar month in which the agent was active in the shop (platform, shop_id, agent_id,
    month_start): a day with a row in agg_agent_daily_service (reception, round, status time or open session) or
    agg_agent_daily_receptions, or a day with a sale or a refund credited to the agent (int_performance__credited_orders).
    group_name = the roster group in force at the end of the agent's last active day of the month
    (int_agents__roster_history; before the agent's first version, the first version). The population and group of
    the monthly KPI scorecard and commission (DECISIONLOG "KPI scorecard and commission").
-#}
with credited as (
    select * from {{ ref('int_performance__credited_orders') }}
),

history as (
    select * from {{ ref('int_agents__roster_history') }}
),

active_days as (
    select platform, shop_id, agent_id, service_date as active_date from {{ ref('agg_agent_daily_service') }}
    union
    select platform, shop_id, agent_id, reception_date from {{ ref('agg_agent_daily_receptions') }}
    union
    select platform, shop_id, agent_id, paid_date from credited
    union
    select platform, shop_id, agent_id, refund_date from credited
    where refund_date is not null
),

months as (
    select
        platform,
        shop_id,
        agent_id,
        {{ month_start('active_date') }} as month_start,
        count(*) as active_day_count,
        max(active_date) as last_active_date
    from active_days
    group by platform, shop_id, agent_id, {{ month_start('active_date') }}
),

versions as (
    -- the version in force at the end of the last active day: the latest one starting before the next midnight,
    -- else (the day lies before the agent's first version) the first one
    select
        months.platform,
        months.shop_id,
        months.agent_id,
        months.month_start,
        history.group_name,
        history.valid_from,
        row_number() over (
            partition by months.platform, months.shop_id, months.agent_id, months.month_start
            order by
                case when history.valid_from < {{ day_start('months.last_active_date', 1) }} then 0 else 1 end,
                case
                    when history.valid_from < {{ day_start('months.last_active_date', 1) }}
                        then {{ epoch_seconds('history.valid_from') }}
                end desc,
                history.valid_from
        ) as version_rank
    from months
    inner join history
        on
            months.platform = history.platform
            and months.shop_id = history.shop_id
            and months.agent_id = history.agent_id
),

final as (
    select
        months.platform,
        months.shop_id,
        months.agent_id,
        months.month_start,
        {{ month_end('months.month_start') }} as month_end,
        {{ month_label('months.month_start') }} as period,
        months.active_day_count,
        months.last_active_date,
        versions.group_name,
        versions.valid_from as roster_valid_from
    from months
    left join versions
        on
            months.platform = versions.platform
            and months.shop_id = versions.shop_id
            and months.agent_id = versions.agent_id
            and months.month_start = versions.month_start
            and versions.version_rank = 1
)

select * from final
