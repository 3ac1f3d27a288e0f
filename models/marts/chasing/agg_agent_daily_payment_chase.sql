{#-
    One row per (platform, shop, order date, agent) for payment chasing (催付, docs/metrics.md §11), plus one silent
    row per shop-day (agent_id null, is_silent) for orders without a 落实下单 agent. Orders are dated by their created
    date. Two sides per agent: the orders the agent owns (its 落实下单 orders) that were reachable — chased by anyone,
    or missed: never chased while unpaid until the chase window closed — and the orders the agent chased first with
    what they recovered. Per shop-day, Σ reachable = Σ owned chased + Σ missed and Σ owned chased = Σ chased.
-#}
with orders as (
    select * from {{ ref('int_orders__payment_chases') }}
    where is_chased or is_missed
),

owned as (
    select
        platform,
        shop_id,
        order_date,
        order_agent_id as agent_id,
        count(*) as reachable_order_count,
        sum(order_amount) as reachable_amount,
        count(*) filter (where is_chased) as owned_chased_order_count,
        count(*) filter (where is_missed) as missed_order_count,
        sum(case when is_missed then order_amount else 0 end) as missed_amount
    from orders
    group by platform, shop_id, order_date, order_agent_id
),

chased as (
    select
        platform,
        shop_id,
        order_date,
        chase_agent_id as agent_id,
        count(*) as chased_order_count,
        sum(order_amount) as chased_amount,
        count(*) filter (where is_recovered) as recovered_order_count,
        sum(case when is_recovered then payment_amount else 0 end) as recovered_amount,
        count(*) filter (where not is_mature_recovery) as immature_chase_count
    from orders
    where is_chased
    group by platform, shop_id, order_date, chase_agent_id
),

row_keys as (
    select platform, shop_id, order_date, agent_id from owned
    union
    select platform, shop_id, order_date, agent_id from chased
),

final as (
    select
        row_keys.platform,
        row_keys.shop_id,
        row_keys.order_date,
        row_keys.agent_id,
        coalesce(row_keys.agent_id, '静默') as agent_or_silent,
        row_keys.agent_id is null as is_silent,
        coalesce(owned.reachable_order_count, 0) as reachable_order_count,
        cast(coalesce(owned.reachable_amount, 0) as decimal(38, 2)) as reachable_amount,
        coalesce(owned.owned_chased_order_count, 0) as owned_chased_order_count,
        coalesce(owned.missed_order_count, 0) as missed_order_count,
        cast(coalesce(owned.missed_amount, 0) as decimal(38, 2)) as missed_amount,
        {{ metric_ratio('chase_rate', 'owned') }} as chase_rate,
        coalesce(chased.chased_order_count, 0) as chased_order_count,
        cast(coalesce(chased.chased_amount, 0) as decimal(38, 2)) as chased_amount,
        coalesce(chased.recovered_order_count, 0) as recovered_order_count,
        cast(coalesce(chased.recovered_amount, 0) as decimal(38, 2)) as recovered_amount,
        {{ metric_ratio('recovery_rate', 'chased') }} as recovery_rate,
        coalesce(chased.immature_chase_count, 0) as immature_chase_count
    from row_keys
    left join owned
        on
            row_keys.platform = owned.platform
            and row_keys.shop_id = owned.shop_id
            and row_keys.order_date = owned.order_date
            and row_keys.agent_id is not distinct from owned.agent_id
    left join chased
        on
            row_keys.platform = chased.platform
            and row_keys.shop_id = chased.shop_id
            and row_keys.order_date = chased.order_date
            and row_keys.agent_id is not distinct from chased.agent_id
)

select * from final
