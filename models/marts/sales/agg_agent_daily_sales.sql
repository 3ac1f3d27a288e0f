{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='activity_date',
          lookback_driver=order_rollup_driver()) }}
{#-
    One row per (platform, shop, agent, attribution rule, date). Sales side (销售额/销售量/销售人数/订单数 and the
    ratios 客单价, 客件数, 件均价) by paid date under the row's rule; order side (下单人数/下单金额/订单数 and 付款流失 =
    credited orders still unpaid) by created date, always credited under rule `order` (docs/metrics.md §3).
-#}
-- depends_on: {{ ref('int_orders__attributed') }}
with attributed as (
    -- on an incremental run: orders created or paid from the look-back start on
    select * from {{ ref('fct_order_attribution') }}
    where not is_silent and {{ incremental_window(order_last_event_date()) }}
),

sales as (
    select
        platform,
        shop_id,
        credited_agent_id as agent_id,
        attribution_rule,
        cast(paid_at as date) as activity_date,
        sum(payment_amount) as sales_amount,
        cast(sum(item_quantity) as bigint) as sales_quantity,
        count(distinct buyer_key) as sales_buyers,
        count(*) as paid_orders
    from attributed
    where paid_at is not null
    group by platform, shop_id, credited_agent_id, attribution_rule, cast(paid_at as date)
),

order_side as (
    select
        platform,
        shop_id,
        credited_agent_id as agent_id,
        cast(created_at as date) as activity_date,
        count(distinct buyer_key) as ordered_buyers,
        sum(order_amount) as ordered_amount,
        count(*) as ordered_orders,
        count(*) filter (where paid_at is null) as unpaid_orders,
        sum(case when paid_at is null then order_amount else 0 end) as unpaid_amount
    from attributed
    where attribution_rule = 'order'
    group by platform, shop_id, credited_agent_id, cast(created_at as date)
),

rules as (
    {{ attribution_rules_table() }}
),

order_side_per_rule as (
    select
        order_side.*,
        rules.attribution_rule
    from order_side
    cross join rules
),

final as (
    select
        coalesce(sales.platform, order_side_per_rule.platform) as platform,
        coalesce(sales.shop_id, order_side_per_rule.shop_id) as shop_id,
        coalesce(sales.agent_id, order_side_per_rule.agent_id) as agent_id,
        coalesce(sales.attribution_rule, order_side_per_rule.attribution_rule) as attribution_rule,
        coalesce(sales.activity_date, order_side_per_rule.activity_date) as activity_date,
        coalesce(sales.sales_amount, 0) as sales_amount,
        coalesce(sales.sales_quantity, 0) as sales_quantity,
        coalesce(sales.sales_buyers, 0) as sales_buyers,
        coalesce(sales.paid_orders, 0) as paid_orders,
        {{ metric_ratio('avg_order_value', 'sales') }} as avg_order_value_per_buyer,
        {{ metric_ratio('agent_items_per_buyer', 'sales') }} as items_per_buyer,
        {{ metric_ratio('agent_avg_item_price', 'sales') }} as avg_item_price,
        coalesce(order_side_per_rule.ordered_buyers, 0) as ordered_buyers,
        coalesce(order_side_per_rule.ordered_amount, 0) as ordered_amount,
        coalesce(order_side_per_rule.ordered_orders, 0) as ordered_orders,
        coalesce(order_side_per_rule.unpaid_orders, 0) as unpaid_orders,
        coalesce(order_side_per_rule.unpaid_amount, 0) as unpaid_amount
    from sales
    full outer join order_side_per_rule
        on
            sales.platform = order_side_per_rule.platform
            and sales.shop_id = order_side_per_rule.shop_id
            and sales.agent_id = order_side_per_rule.agent_id
            and sales.attribution_rule = order_side_per_rule.attribution_rule
            and sales.activity_date = order_side_per_rule.activity_date
    where {{ incremental_window('coalesce(sales.activity_date, order_side_per_rule.activity_date)') }}
),

with_roster as (
    select
        final.*,
        {{ roster_of_day('group_name') }} as group_name,
        {{ roster_of_day('agent_name') }} as agent_name
    from final
    {{ roster_of_day_joins('final.platform', 'final.shop_id', 'final.agent_id', 'final.activity_date') }}
)

{{ select_with_shop_rules('with_roster', 'with_roster.activity_date', flag_shop_rule=true) }}
