with attributed as (
    select * from {{ ref('int_orders__attributed') }}
),

final as (
    select
        platform,
        shop_id,
        buyer_key,
        order_id,
        attribution_rule,
        credited_agent_id,
        credited_reception_id,
        is_silent,
        created_at,
        paid_at,
        order_amount,
        payment_amount,
        item_quantity,
        refund_amount
    from attributed
)

select * from final
