{#-
    催付 identities per shop and order date (docs/metrics.md §11): over the agent rows and the silent row of
    agg_agent_daily_payment_chase, Σ reachable = the shop's reachable orders (chased or missed), Σ chased = the
    shop's chased orders = the rows of fct_payment_chases, Σ owned chased = Σ chased, Σ recovered = the recovered
    rows of fct_payment_chases. Returns the shop-days where one of them fails.
-#}
with rollup as (
    select
        platform,
        shop_id,
        order_date,
        sum(reachable_order_count) as reachable_order_count,
        sum(owned_chased_order_count) as owned_chased_order_count,
        sum(chased_order_count) as chased_order_count,
        sum(recovered_order_count) as recovered_order_count,
        sum(recovered_amount) as recovered_amount
    from {{ ref('agg_agent_daily_payment_chase') }}
    group by platform, shop_id, order_date
),

orders as (
    select
        platform,
        shop_id,
        order_date,
        count(*) filter (where is_chased or is_missed) as reachable_order_count
    from {{ ref('int_orders__payment_chases') }}
    group by platform, shop_id, order_date
),

chases as (
    select
        platform,
        shop_id,
        order_date,
        count(*) as chased_order_count,
        count(*) filter (where is_recovered) as recovered_order_count,
        sum(recovered_amount) as recovered_amount
    from {{ ref('fct_payment_chases') }}
    group by platform, shop_id, order_date
),

compared as (
    select
        orders.platform,
        orders.shop_id,
        orders.order_date,
        orders.reachable_order_count as shop_reachable,
        coalesce(rollup.reachable_order_count, 0) as rows_reachable,
        coalesce(chases.chased_order_count, 0) as shop_chased,
        coalesce(rollup.chased_order_count, 0) as rows_chased,
        coalesce(rollup.owned_chased_order_count, 0) as rows_owned_chased,
        coalesce(chases.recovered_order_count, 0) as shop_recovered,
        coalesce(rollup.recovered_order_count, 0) as rows_recovered,
        coalesce(chases.recovered_amount, 0) as shop_recovered_amount,
        coalesce(rollup.recovered_amount, 0) as rows_recovered_amount
    from orders
    left join rollup
        on
            orders.platform = rollup.platform
            and orders.shop_id = rollup.shop_id
            and orders.order_date = rollup.order_date
    left join chases
        on
            orders.platform = chases.platform
            and orders.shop_id = chases.shop_id
            and orders.order_date = chases.order_date
)

select * from compared
where
    shop_reachable != rows_reachable
    or shop_chased != rows_chased
    or rows_owned_chased != rows_chased
    or shop_recovered != rows_recovered
    or shop_recovered_amount != rows_recovered_amount
