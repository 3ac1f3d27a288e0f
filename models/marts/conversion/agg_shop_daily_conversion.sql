{#-
    One row per (platform, shop, inquiry date): the shop cohort over distinct inquiring buyers, each measured from the
    earliest first_message_at of that buyer's inquiries that day, counting any order of the buyer at the shop.
-#}
with inquiries as (
    select * from {{ ref('fct_receptions') }}
    where is_inquiry
),

orders as (
    select * from {{ ref('stg_kefu__orders') }}
),

buyer_days as (
    select
        platform,
        shop_id,
        buyer_key,
        reception_date as inquiry_date,
        min(first_message_at) as first_message_at
    from inquiries
    group by platform, shop_id, buyer_key, reception_date
),

buyer_flags as (
    select
        buyer_days.platform,
        buyer_days.shop_id,
        buyer_days.buyer_key,
        buyer_days.inquiry_date,
        {{ conversion_flags('buyer_days.first_message_at', 'buyer_days.inquiry_date',
                            'orders.created_at', 'orders.paid_at',
                            shop_rule('inquiry_valid_days'), shop_rule('final_pay_days')) }}
    from buyer_days
    {{ join_shop_rules('buyer_days.platform', 'buyer_days.shop_id', 'buyer_days.inquiry_date') }}
    left join orders
        on
            buyer_days.platform = orders.platform
            and buyer_days.shop_id = orders.shop_id
            and buyer_days.buyer_key = orders.buyer_key
    group by
        buyer_days.platform, buyer_days.shop_id, buyer_days.buyer_key, buyer_days.inquiry_date,
        {{ shop_rule('inquiry_valid_days') }}, {{ shop_rule('final_pay_days') }}
),

final as (
    {{ conversion_rollup('buyer_flags', ['platform', 'shop_id', 'inquiry_date'], 'inquiry_date') }}
)

select * from final
