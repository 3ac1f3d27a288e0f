{{ config(
    materialized='incremental',
    incremental_strategy='lookback',
    lookback_column='activity_date',
    unique_key='order_id'
) }}

{#-
    One row per order and attribution rule (order, payment, order_first) with the credited reception and agent
    (null = silent, 静默). order = order_agent; payment = pay_agent; order_first = order_agent, else pay_agent.
-#}
with all_orders as (
    select
        *,
        cast(greatest(created_at, coalesce(paid_at, created_at), updated_at) as date) as activity_date
    from {{ ref('stg_kefu__orders') }}
),

orders as (
    -- on an incremental run: the orders created, paid or updated inside the look-back
    select * from all_orders
    where {{ incremental_window('activity_date') }}
),

order_agent as (
    select * from {{ ref('int_orders__order_agent') }}
    where candidate_rank = 1
),

pay_agent as (
    select * from {{ ref('int_orders__pay_agent') }}
    where candidate_rank = 1
),

rules as (
    {{ attribution_rules_table() }}
),

credited as (
    select
        orders.order_id,
        rules.attribution_rule,
        case
            when rules.attribution_rule = 'order' then order_agent.reception_id
            when rules.attribution_rule = 'payment' then pay_agent.reception_id
            else coalesce(order_agent.reception_id, pay_agent.reception_id)
        end as credited_reception_id,
        case
            when rules.attribution_rule = 'order' then order_agent.agent_id
            when rules.attribution_rule = 'payment' then pay_agent.agent_id
            else coalesce(order_agent.agent_id, pay_agent.agent_id)
        end as credited_agent_id
    from orders
    cross join rules
    left join order_agent
        on orders.order_id = order_agent.order_id
    left join pay_agent
        on orders.order_id = pay_agent.order_id
),

final as (
    select
        orders.platform,
        orders.shop_id,
        orders.buyer_key,
        orders.order_id,
        credited.attribution_rule,
        credited.credited_agent_id,
        credited.credited_reception_id,
        credited.credited_agent_id is null as is_silent,
        orders.created_at,
        orders.paid_at,
        orders.order_amount,
        orders.payment_amount,
        orders.item_quantity,
        orders.status,
        orders.refund_amount,
        orders.activity_date
    from orders
    inner join credited
        on orders.order_id = credited.order_id
)

select * from final
