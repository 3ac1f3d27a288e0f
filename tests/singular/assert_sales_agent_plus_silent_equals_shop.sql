-- Per (shop, paid date, rule): Σ agent sales (agg_agent_daily_sales) + silent sales = shop sales (from the orders),
-- for amount, quantity and orders. An order credited twice makes Σ agent exceed its share and fails here.
with agents as (
    select
        platform,
        shop_id,
        attribution_rule,
        activity_date as sales_date,
        sum(sales_amount) as agent_sales_amount,
        sum(sales_quantity) as agent_sales_quantity,
        sum(paid_orders) as agent_paid_orders
    from {{ ref('agg_agent_daily_sales') }}
    group by platform, shop_id, attribution_rule, activity_date
)

select
    shop.platform,
    shop.shop_id,
    shop.attribution_rule,
    shop.sales_date,
    shop.shop_sales_amount,
    coalesce(agents.agent_sales_amount, 0) + shop.silent_sales_amount as agent_plus_silent_amount,
    shop.shop_sales_quantity,
    coalesce(agents.agent_sales_quantity, 0) + shop.silent_sales_quantity as agent_plus_silent_quantity,
    shop.shop_paid_orders,
    coalesce(agents.agent_paid_orders, 0) + shop.silent_paid_orders as agent_plus_silent_orders
from {{ ref('agg_shop_daily_sales') }} as shop
left join agents
    on
        shop.platform = agents.platform
        and shop.shop_id = agents.shop_id
        and shop.attribution_rule = agents.attribution_rule
        and shop.sales_date = agents.sales_date
where
    shop.shop_sales_amount <> coalesce(agents.agent_sales_amount, 0) + shop.silent_sales_amount
    or shop.shop_sales_quantity <> coalesce(agents.agent_sales_quantity, 0) + shop.silent_sales_quantity
    or shop.shop_paid_orders <> coalesce(agents.agent_paid_orders, 0) + shop.silent_paid_orders
    or shop.shop_sales_amount <> shop.agent_sales_amount + shop.silent_sales_amount
