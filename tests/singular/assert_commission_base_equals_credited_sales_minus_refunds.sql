-- Per (shop, month) over the agents of agg_agent_monthly_commission: Σ commission_base = the agents' sales credited
-- under the shop's rule (the is_shop_rule rows of agg_agent_daily_sales, by paid date) − the refunds dated in the
-- month of orders credited to them under the rule agg_agent_daily_sales flags as the shop's on their paid date, sold
-- in any month. (Reads no staging model, so a `dbt build --select +stg_…` never selects it; the refund dates come
-- from int_performance__credited_orders, recomputed from the orders by tests_python/test_performance.py.)
with commission as (
    select * from {{ ref('agg_agent_monthly_commission') }}
),

shop_rule_days as (
    select * from {{ ref('agg_agent_daily_sales') }}
    where is_shop_rule
),

credited_sales as (
    select
        platform,
        shop_id,
        agent_id,
        {{ month_start('activity_date') }} as month_start,
        sum(sales_amount) as sales_amount
    from shop_rule_days
    group by platform, shop_id, agent_id, {{ month_start('activity_date') }}
),

credited_refunds as (
    -- an order credited to the agent under the rule that agg_agent_daily_sales flags as the shop's on its paid date
    select
        attribution.platform,
        attribution.shop_id,
        attribution.credited_agent_id as agent_id,
        refunds.refund_month as month_start,
        sum(attribution.refund_amount) as refund_amount
    from {{ ref('fct_order_attribution') }} as attribution
    inner join {{ ref('int_performance__credited_orders') }} as refunds
        on attribution.order_id = refunds.order_id
    where
        attribution.paid_at is not null
        and attribution.refund_amount > 0
        and exists (
            select 1 from shop_rule_days
            where
                shop_rule_days.platform = attribution.platform
                and shop_rule_days.shop_id = attribution.shop_id
                and shop_rule_days.agent_id = attribution.credited_agent_id
                and shop_rule_days.attribution_rule = attribution.attribution_rule
                and shop_rule_days.activity_date = cast(attribution.paid_at as date)
        )
    group by attribution.platform, attribution.shop_id, attribution.credited_agent_id, refunds.refund_month
),

expected as (
    select
        commission.platform,
        commission.shop_id,
        commission.month_start,
        sum(coalesce(credited_sales.sales_amount, 0) - coalesce(credited_refunds.refund_amount, 0)) as expected_base,
        sum(commission.commission_base) as commission_base
    from commission
    left join credited_sales
        on
            commission.platform = credited_sales.platform
            and commission.shop_id = credited_sales.shop_id
            and commission.agent_id = credited_sales.agent_id
            and commission.month_start = credited_sales.month_start
    left join credited_refunds
        on
            commission.platform = credited_refunds.platform
            and commission.shop_id = credited_refunds.shop_id
            and commission.agent_id = credited_refunds.agent_id
            and commission.month_start = credited_refunds.month_start
    group by commission.platform, commission.shop_id, commission.month_start
)

select * from expected
where expected_base <> commission_base
