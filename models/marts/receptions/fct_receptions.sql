with receptions as (
    select * from {{ ref('int_receptions__classified') }}
),

final as (
    select
        reception_id,
        platform,
        shop_id,
        agent_id,
        buyer_key,
        reception_date,
        first_message_at,
        initiated_by,
        buyer_message_count,
        agent_message_count,
        is_filtered,
        filter_reason,
        is_after_sale,
        is_inquiry
    from receptions
)

select * from final
