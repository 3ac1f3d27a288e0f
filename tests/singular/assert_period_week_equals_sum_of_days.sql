{#-
    Re-aggregation check: every agent-week and group-week of the period marts equals its days. Additive: replied
    receptions = Σ daily replied receptions, consult buyer-days (按日累加) = Σ daily consult counts / buyers. Ratio:
    三分钟响应率 of the week = Σ daily within-deadline rounds ÷ Σ daily assessment rounds (never a mean of daily
    rates). Returns the weeks that disagree.
-#}
with agent_days as (
    select
        platform,
        shop_id,
        agent_id,
        cast({{ dbt.date_trunc('week', 'service_date') }} as date) as period_start_date,
        sum(replied_reception_count) as replied_reception_count,
        sum(assessment_rounds_within_deadline_count) as within_deadline,
        sum(assessment_round_count) as assessment_rounds
    from {{ ref('agg_agent_daily_service') }}
    group by 1, 2, 3, 4
),

agent_receptions as (
    select
        platform,
        shop_id,
        agent_id,
        cast({{ dbt.date_trunc('week', 'reception_date') }} as date) as period_start_date,
        sum(consult_count) as consult_count
    from {{ ref('agg_agent_daily_receptions') }}
    group by 1, 2, 3, 4
),

agent_weeks as (
    select * from {{ ref('agg_agent_period_performance') }}
    where period_type = 'week'
),

group_days as (
    select
        platform,
        shop_id,
        group_name,
        cast({{ dbt.date_trunc('week', 'business_date') }} as date) as period_start_date,
        sum(consult_buyers) as consult_buyers,
        sum(assessment_rounds_within_deadline_count) as within_deadline,
        sum(assessment_round_count) as assessment_rounds
    from {{ ref('agg_group_daily_performance') }}
    group by 1, 2, 3, 4
),

group_weeks as (
    select * from {{ ref('agg_group_period_performance') }}
    where period_type = 'week'
),

agent_problems as (
    select
        'agent' as grain,
        agent_weeks.agent_id as member,
        agent_weeks.period_start_date
    from agent_weeks
    left join agent_days
        on
            agent_weeks.platform = agent_days.platform
            and agent_weeks.shop_id = agent_days.shop_id
            and agent_weeks.agent_id = agent_days.agent_id
            and agent_weeks.period_start_date = agent_days.period_start_date
    left join agent_receptions
        on
            agent_weeks.platform = agent_receptions.platform
            and agent_weeks.shop_id = agent_receptions.shop_id
            and agent_weeks.agent_id = agent_receptions.agent_id
            and agent_weeks.period_start_date = agent_receptions.period_start_date
    where
        agent_weeks.replied_reception_count != coalesce(agent_days.replied_reception_count, 0)
        or agent_weeks.consult_buyer_days != coalesce(agent_receptions.consult_count, 0)
        or abs(
            coalesce(agent_weeks.three_minute_response_rate, -1)
            - coalesce(cast(agent_days.within_deadline as double) / nullif(agent_days.assessment_rounds, 0), -1)
        )
        > 1e-9
),

group_problems as (
    select
        'group' as grain,
        group_weeks.group_name as member,
        group_weeks.period_start_date
    from group_weeks
    left join group_days
        on
            group_weeks.platform = group_days.platform
            and group_weeks.shop_id = group_days.shop_id
            and group_weeks.group_name = group_days.group_name
            and group_weeks.period_start_date = group_days.period_start_date
    where
        group_weeks.consult_buyer_days != coalesce(group_days.consult_buyers, 0)
        or abs(
            coalesce(group_weeks.three_minute_response_rate, -1)
            - coalesce(cast(group_days.within_deadline as double) / nullif(group_days.assessment_rounds, 0), -1)
        )
        > 1e-9
)

select * from agent_problems
union all
select * from group_problems
