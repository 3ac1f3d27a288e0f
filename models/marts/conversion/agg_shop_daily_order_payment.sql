{#-
    One row per (platform, shop, order date): 下单→付款 — buyers who created an order that day and how many of them
    paid the same day, by the next day and by the final horizon (D + final_pay_days − 1), with maturity flags.
-#}
with orders as (
    select
        stg_orders.*,
        {{ shop_rule('final_pay_days') }} as final_pay_days
    from {{ ref('stg_kefu__orders') }} as stg_orders
    {{ join_shop_rules('stg_orders.platform', 'stg_orders.shop_id', 'cast(stg_orders.created_at as date)') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

buyer_days as (
    select
        platform,
        shop_id,
        buyer_key,
        cast(created_at as date) as order_date,
        final_pay_days,
        coalesce(bool_or(paid_at < {{ payment_horizon_end('cast(created_at as date)', 1) }}), false) as paid_same_day,
        coalesce(bool_or(paid_at < {{ payment_horizon_end('cast(created_at as date)', 2) }}), false) as paid_next_day,
        coalesce(bool_or(paid_at < {{ payment_horizon_end('cast(created_at as date)', 'final_pay_days') }}), false)
            as paid_final
    from orders
    group by platform, shop_id, buyer_key, cast(created_at as date), final_pay_days
),

final as (
    select
        buyer_days.platform,
        buyer_days.shop_id,
        buyer_days.order_date,
        count(*) as ordered_buyers,
        count(*) filter (where buyer_days.paid_same_day) as paid_same_day_buyers,
        count(*) filter (where buyer_days.paid_next_day) as paid_next_day_buyers,
        count(*) filter (where buyer_days.paid_final) as paid_final_buyers,
        {{ share_of('buyer_days.paid_same_day') }} as paid_same_day_rate,
        {{ share_of('buyer_days.paid_next_day') }} as paid_next_day_rate,
        {{ share_of('buyer_days.paid_final') }} as paid_final_rate,
        as_of.as_of_date >= {{ dbt.dateadd('day', 1, 'buyer_days.order_date') }} as is_mature_paid_same_day,
        as_of.as_of_date >= {{ dbt.dateadd('day', 2, 'buyer_days.order_date') }} as is_mature_paid_next_day,
        as_of.as_of_date >= {{ dbt.dateadd('day', 'buyer_days.final_pay_days', 'buyer_days.order_date') }}
            as is_mature_paid_final,
        as_of.as_of_date
    from buyer_days
    cross join as_of
    group by buyer_days.platform, buyer_days.shop_id, buyer_days.order_date, buyer_days.final_pay_days, as_of.as_of_date
)

{{ select_with_shop_rules('final', 'final.order_date', flag_shop_rule=false) }}
