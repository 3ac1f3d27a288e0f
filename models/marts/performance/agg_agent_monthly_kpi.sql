{#-
    One row per (platform, shop, agent, month, metric of the plan in force): the agent's monthly value of the metric
    (int_performance__agent_monthly_measures), the band of seeds/kpi_plan.csv it falls in (band_from <= value <
    band_to, null bound = unbounded), its score, weight and weighted_score = score × weight. A value in no band (or
    null: no denominator that month) scores 0 (is_in_band false). Agent-months of shops without a plan have no rows.
-#}
with agent_months as (
    select * from {{ ref('int_agents__monthly_group') }}
),

plans as (
    select * from {{ ref('stg_config__kpi_plan') }}
),

measures as (
    select * from {{ ref('int_performance__agent_monthly_measures') }}
),

in_force as (
    {{ plan_in_force('agent_months', 'plans') }}
),

plan_metrics as (
    select distinct
        in_force.platform,
        in_force.shop_id,
        in_force.agent_id,
        in_force.month_start,
        in_force.plan_version,
        in_force.plan_group_name,
        in_force.plan_effective_from,
        plans.metric_name,
        plans.weight
    from in_force
    inner join plans
        on
            in_force.platform = plans.platform
            and in_force.shop_id = plans.shop_id
            and in_force.plan_effective_from = plans.effective_from
            and coalesce(in_force.plan_group_name, '') = coalesce(plans.group_name, '')
),

scored as (
    select
        plan_metrics.platform,
        plan_metrics.shop_id,
        plan_metrics.agent_id,
        plan_metrics.month_start,
        plan_metrics.metric_name,
        plan_metrics.plan_version,
        plan_metrics.weight,
        measures.metric_value,
        measures.numerator,
        measures.denominator,
        measures.is_mature,
        measures.as_of_date,
        plans.band_from,
        plans.band_to,
        plans.score,
        plans.band_number
    from plan_metrics
    inner join measures
        on
            plan_metrics.platform = measures.platform
            and plan_metrics.shop_id = measures.shop_id
            and plan_metrics.agent_id = measures.agent_id
            and plan_metrics.month_start = measures.month_start
            and plan_metrics.metric_name = measures.metric_name
    left join plans
        on
            plan_metrics.platform = plans.platform
            and plan_metrics.shop_id = plans.shop_id
            and plan_metrics.plan_effective_from = plans.effective_from
            and coalesce(plan_metrics.plan_group_name, '') = coalesce(plans.group_name, '')
            and plan_metrics.metric_name = plans.metric_name
            and {{ band_contains('measures.metric_value', 'plans.band_from', 'plans.band_to') }}
),

final as (
    select
        scored.platform,
        scored.shop_id,
        scored.agent_id,
        scored.month_start,
        {{ month_label('scored.month_start') }} as period,
        agent_months.group_name,
        scored.metric_name,
        scored.metric_value as value,
        scored.numerator,
        scored.denominator,
        scored.band_number is not null as is_in_band,
        scored.band_from,
        scored.band_to,
        cast(coalesce(scored.score, 0) as double) as score,
        scored.weight,
        cast(coalesce(scored.score, 0) * scored.weight as double) as weighted_score,
        scored.is_mature,
        scored.plan_version,
        scored.as_of_date
    from scored
    inner join agent_months
        on
            scored.platform = agent_months.platform
            and scored.shop_id = agent_months.shop_id
            and scored.agent_id = agent_months.agent_id
            and scored.month_start = agent_months.month_start
)

select * from final
