{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='sales_date',
          lookback_driver=order_rollup_driver()) }}
{#-
    One row per (platform, shop, attribution rule, paid date): shop sales (from the orders themselves), the part
    credited to agents (客服) and the silent part (静默) for amount, quantity, buyers and orders, with shares.
    Identity per rule: agent + silent = shop for amount, quantity and orders.
-#}
-- depends_on: {{ ref('int_orders__attributed') }}
with orders as (
    select * from {{ ref('stg_kefu__orders') }}
    where paid_at is not null and {{ incremental_window('cast(paid_at as date)') }}
),

attributed as (
    select * from {{ ref('fct_order_attribution') }}
    where paid_at is not null and {{ incremental_window('cast(paid_at as date)') }}
),

rules as (
    {{ attribution_rules_table() }}
),

shop as (
    select
        orders.platform,
        orders.shop_id,
        rules.attribution_rule,
        cast(orders.paid_at as date) as sales_date,
        sum(orders.payment_amount) as shop_sales_amount,
        cast(sum(orders.item_quantity) as bigint) as shop_sales_quantity,
        count(distinct orders.buyer_key) as shop_sales_buyers,
        count(*) as shop_paid_orders
    from orders
    cross join rules
    group by orders.platform, orders.shop_id, rules.attribution_rule, cast(orders.paid_at as date)
),

split as (
    select
        platform,
        shop_id,
        attribution_rule,
        cast(paid_at as date) as sales_date,
        sum(case when not is_silent then payment_amount else 0 end) as agent_sales_amount,
        cast(sum(case when not is_silent then item_quantity else 0 end) as bigint) as agent_sales_quantity,
        count(distinct case when not is_silent then buyer_key end) as agent_sales_buyers,
        count(*) filter (where not is_silent) as agent_paid_orders,
        sum(case when is_silent then payment_amount else 0 end) as silent_sales_amount,
        cast(sum(case when is_silent then item_quantity else 0 end) as bigint) as silent_sales_quantity,
        count(distinct case when is_silent then buyer_key end) as silent_sales_buyers,
        count(*) filter (where is_silent) as silent_paid_orders
    from attributed
    group by platform, shop_id, attribution_rule, cast(paid_at as date)
),

final as (
    select
        shop.platform,
        shop.shop_id,
        shop.attribution_rule,
        shop.sales_date,
        shop.shop_sales_amount,
        shop.shop_sales_quantity,
        shop.shop_sales_buyers,
        shop.shop_paid_orders,
        coalesce(split.agent_sales_amount, 0) as agent_sales_amount,
        coalesce(split.agent_sales_quantity, 0) as agent_sales_quantity,
        coalesce(split.agent_sales_buyers, 0) as agent_sales_buyers,
        coalesce(split.agent_paid_orders, 0) as agent_paid_orders,
        coalesce(split.silent_sales_amount, 0) as silent_sales_amount,
        coalesce(split.silent_sales_quantity, 0) as silent_sales_quantity,
        coalesce(split.silent_sales_buyers, 0) as silent_sales_buyers,
        coalesce(split.silent_paid_orders, 0) as silent_paid_orders,
        {{ metric_ratio('agent_amount_share', 'split', columns={'shop_sales_amount': 'shop.shop_sales_amount'}) }}
            as agent_amount_share,
        {{ metric_ratio('silent_amount_share', 'split', columns={'shop_sales_amount': 'shop.shop_sales_amount'}) }}
            as silent_amount_share,
        {{ metric_ratio('agent_buyer_share', 'split', columns={'shop_sales_buyers': 'shop.shop_sales_buyers'}) }}
            as agent_buyer_share,
        {{ metric_ratio('silent_buyer_share', 'split', columns={'shop_sales_buyers': 'shop.shop_sales_buyers'}) }}
            as silent_buyer_share
    from shop
    left join split
        on
            shop.platform = split.platform
            and shop.shop_id = split.shop_id
            and shop.attribution_rule = split.attribution_rule
            and shop.sales_date = split.sales_date
)

{{ select_with_shop_rules('final', 'final.sales_date', flag_shop_rule=true) }}
