{#-
    One row per (platform, shop, agent, month) with a KPI plan in force: total_score = Σ weighted_score of
    agg_agent_monthly_kpi, ranks among the shop's agents of the month and among the agents of the same group
    (rank(): ties share a rank, 1 = best), the plan version and is_final (every KPI row of the month is mature).
-#}
with kpi as (
    select * from {{ ref('agg_agent_monthly_kpi') }}
),

totals as (
    select
        platform,
        shop_id,
        agent_id,
        month_start,
        period,
        group_name,
        plan_version,
        as_of_date,
        cast(sum(weighted_score) as double) as total_score,
        count(*) as metric_count,
        bool_and(is_mature) as is_final
    from kpi
    group by platform, shop_id, agent_id, month_start, period, group_name, plan_version, as_of_date
),

final as (
    select
        platform,
        shop_id,
        agent_id,
        month_start,
        period,
        group_name,
        total_score,
        rank() over (partition by platform, shop_id, month_start order by total_score desc) as rank_in_shop,
        rank() over (
            partition by platform, shop_id, month_start, group_name order by total_score desc
        ) as rank_in_group,
        metric_count,
        plan_version,
        is_final,
        as_of_date
    from totals
)

select * from final
