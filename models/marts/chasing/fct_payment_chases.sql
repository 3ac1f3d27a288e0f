{#-
    One row per chased order (催付, docs/metrics.md §11): the first manual agent message to the buyer after the order
    was created and before it was paid, cancelled or chase_window_hours old; who chased, when, how many hours after
    the order, whether the buyer paid after it and whether that payment recovered the order (paid before the end of
    chase date + final_pay_days − 1), with the 落实下单 and 落实付款 agents beside the chaser.
-#}
with chases as (
    select * from {{ ref('int_orders__payment_chases') }}
    where is_chased
),

final as (
    select
        order_id,
        platform,
        shop_id,
        order_date,
        created_at,
        chase_agent_id,
        chase_reception_id,
        first_chased_at,
        cast(first_chased_at as date) as chase_date,
        cast({{ seconds_between('created_at', 'first_chased_at') }} as double) / 3600 as hours_to_chase,
        expires_at as chase_window_expires_at,
        paid_at,
        paid_at is not null as is_paid_after_chase,
        recovery_horizon_end_at,
        is_recovered,
        is_mature_recovery,
        order_amount,
        case when is_recovered then payment_amount else 0 end as recovered_amount,
        order_agent_id,
        pay_agent_id,
        coalesce(chase_agent_id = order_agent_id, false) as is_chased_by_order_agent,
        coalesce(chase_agent_id = pay_agent_id, false) as is_chaser_pay_agent
    from chases
)

select * from final
