{#-
    One row per (platform, shop, agent, month) with a commission plan in force (seeds/commission_plan.csv):
    credited_sales_amount = Σ payment_amount of the orders credited to the agent under the shop's attribution rule in
    force on their paid date, paid in the month (the is_shop_rule rows of agg_agent_daily_sales);
    refunded_amount = refunds dated in the month of orders credited to the agent, sold in any month;
    commission_base = credited − refunded; commission_amount from the plan's tiers (progressive 超额累进 or flat
    全额) on the base (0 when the base is <= 0); tier_rate = the rate of the tier the base falls in. rule = the
    attribution rule(s) in force in the month (two, in date order, when the shop changed it mid-month). is_final when
    the month is over by as_of (a later refund counts in its own month).
-#}
with agent_months as (
    select * from {{ ref('int_agents__monthly_group') }}
),

plans as (
    select * from {{ ref('stg_config__commission_plan') }}
),

credited as (
    select * from {{ ref('int_performance__credited_orders') }}
),

in_force as (
    {{ plan_in_force('agent_months', 'plans') }}
),

sales as (
    select platform, shop_id, agent_id, paid_month as month_start, sum(payment_amount) as credited_sales_amount
    from credited
    group by platform, shop_id, agent_id, paid_month
),

refunds as (
    select platform, shop_id, agent_id, refund_month as month_start, sum(refund_amount) as refunded_amount
    from credited
    where refund_month is not null
    group by platform, shop_id, agent_id, refund_month
),

month_rules as (
    -- the attribution rule(s) of the shop's rule ranges overlapping the month, in date order
    select
        agent_months.platform,
        agent_months.shop_id,
        agent_months.month_start,
        {{ shop_rule('attribution_rule') }} as attribution_rule,
        min(rules.effective_from) as first_from
    from (select distinct platform, shop_id, month_start, month_end from agent_months) as agent_months
    left join {{ ref('int_shop_rules__effective') }} as rules
        on
            agent_months.platform = rules.platform
            and agent_months.shop_id = rules.shop_id
            and rules.effective_from <= agent_months.month_end
            and rules.effective_to > agent_months.month_start
    group by agent_months.platform, agent_months.shop_id, agent_months.month_start, {{ shop_rule('attribution_rule') }}
),

month_rule_text as (
    select
        platform,
        shop_id,
        month_start,
        {{ dbt.listagg('attribution_rule', "', '", 'order by first_from') }} as attribution_rule
    from month_rules
    group by platform, shop_id, month_start
),

bases as (
    select
        in_force.platform,
        in_force.shop_id,
        in_force.agent_id,
        in_force.month_start,
        in_force.plan_group_name,
        in_force.plan_effective_from,
        in_force.plan_version,
        cast(coalesce(sales.credited_sales_amount, 0) as decimal(18, 2)) as credited_sales_amount,
        cast(coalesce(refunds.refunded_amount, 0) as decimal(18, 2)) as refunded_amount,
        cast(coalesce(sales.credited_sales_amount, 0) - coalesce(refunds.refunded_amount, 0) as decimal(18, 2))
            as commission_base
    from in_force
    left join sales
        on
            in_force.platform = sales.platform
            and in_force.shop_id = sales.shop_id
            and in_force.agent_id = sales.agent_id
            and in_force.month_start = sales.month_start
    left join refunds
        on
            in_force.platform = refunds.platform
            and in_force.shop_id = refunds.shop_id
            and in_force.agent_id = refunds.agent_id
            and in_force.month_start = refunds.month_start
),

commissions as (
    select
        bases.platform,
        bases.shop_id,
        bases.agent_id,
        bases.month_start,
        max(plans.commission_mode) as commission_mode,
        max(
            case
                when {{ band_contains('bases.commission_base', 'plans.tier_from', 'plans.tier_to') }}
                    then plans.rate
            end
        ) as tier_rate,
        sum({{ tier_commission('bases.commission_base', 'plans.tier_from', 'plans.tier_to', 'plans.rate',
                               'plans.commission_mode') }}) as commission_amount
    from bases
    inner join plans
        on
            bases.platform = plans.platform
            and bases.shop_id = plans.shop_id
            and bases.plan_effective_from = plans.effective_from
            and coalesce(bases.plan_group_name, '') = coalesce(plans.group_name, '')
    group by bases.platform, bases.shop_id, bases.agent_id, bases.month_start
),

final as (
    select
        bases.platform,
        bases.shop_id,
        bases.agent_id,
        bases.month_start,
        {{ month_label('bases.month_start') }} as period,
        agent_months.group_name,
        coalesce(month_rule_text.attribution_rule, '{{ var("attribution_rule") }}') as rule,
        bases.credited_sales_amount,
        bases.refunded_amount,
        bases.commission_base,
        commissions.commission_mode,
        cast(commissions.tier_rate as decimal(9, 6)) as tier_rate,
        cast(round(commissions.commission_amount, 2) as decimal(18, 2)) as commission_amount,
        bases.plan_version,
        as_of.as_of_date > agent_months.month_end as is_final,
        as_of.as_of_date
    from bases
    inner join agent_months
        on
            bases.platform = agent_months.platform
            and bases.shop_id = agent_months.shop_id
            and bases.agent_id = agent_months.agent_id
            and bases.month_start = agent_months.month_start
    inner join commissions
        on
            bases.platform = commissions.platform
            and bases.shop_id = commissions.shop_id
            and bases.agent_id = commissions.agent_id
            and bases.month_start = commissions.month_start
    left join month_rule_text
        on
            bases.platform = month_rule_text.platform
            and bases.shop_id = month_rule_text.shop_id
            and bases.month_start = month_rule_text.month_start
    cross join {{ ref('int_as_of') }} as as_of
)

select * from final
