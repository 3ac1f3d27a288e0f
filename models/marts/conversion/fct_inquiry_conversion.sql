{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='inquiry_date') }}

{#-
    One row per inquiry (询单: reception with is_inquiry). Shop view: any order of the buyer at the shop in the
    inquiry window. Agent view, per attribution rule: only orders credited to this reception's agent under that rule.
-#}
with inquiries as (
    -- each inquiry with its shop's inquiry_valid_days and final_pay_days in force on its date
    select
        receptions.*,
        {{ shop_rule('inquiry_valid_days') }} as rule_inquiry_valid_days,
        {{ shop_rule('final_pay_days') }} as rule_final_pay_days
    from {{ ref('fct_receptions') }} as receptions
    {{ join_shop_rules('receptions.platform', 'receptions.shop_id', 'receptions.reception_date') }}
    where receptions.is_inquiry and {{ incremental_window('receptions.reception_date') }}
),

orders as (
    select * from {{ ref('fct_order_attribution') }}
),

shop_orders as (
    select * from orders
    where attribution_rule = 'order'
),

first_orders as (
    select
        inquiries.reception_id,
        shop_orders.order_id,
        shop_orders.created_at,
        row_number() over (
            partition by inquiries.reception_id order by shop_orders.created_at, shop_orders.order_id
        ) as order_rank
    from inquiries
    inner join shop_orders
        on
            inquiries.platform = shop_orders.platform
            and inquiries.shop_id = shop_orders.shop_id
            and inquiries.buyer_key = shop_orders.buyer_key
            and shop_orders.created_at >= inquiries.first_message_at
            and shop_orders.created_at
            < {{ inquiry_window_end('inquiries.reception_date', 'inquiries.rule_inquiry_valid_days') }}
),

shop_view as (
    select
        inquiries.reception_id,
        {{ conversion_flags('inquiries.first_message_at', 'inquiries.reception_date',
                            'shop_orders.created_at', 'shop_orders.paid_at',
                            'inquiries.rule_inquiry_valid_days', 'inquiries.rule_final_pay_days') }}
    from inquiries
    left join shop_orders
        on
            inquiries.platform = shop_orders.platform
            and inquiries.shop_id = shop_orders.shop_id
            and inquiries.buyer_key = shop_orders.buyer_key
    group by inquiries.reception_id, inquiries.rule_inquiry_valid_days, inquiries.rule_final_pay_days
),

{%- for rule in attribution_rules() %}

agent_view_{{ rule }} as (
    select
        inquiries.reception_id,
        {{ conversion_flags('inquiries.first_message_at', 'inquiries.reception_date',
                            'credited.created_at', 'credited.paid_at',
                            'inquiries.rule_inquiry_valid_days', 'inquiries.rule_final_pay_days') }}
    from inquiries
    left join orders as credited
        on
            inquiries.platform = credited.platform
            and inquiries.shop_id = credited.shop_id
            and inquiries.buyer_key = credited.buyer_key
            and inquiries.agent_id = credited.credited_agent_id
            and credited.attribution_rule = '{{ rule }}'
    group by inquiries.reception_id, inquiries.rule_inquiry_valid_days, inquiries.rule_final_pay_days
),
{%- endfor %}

final as (
    select
        inquiries.reception_id,
        inquiries.platform,
        inquiries.shop_id,
        inquiries.agent_id,
        inquiries.buyer_key,
        inquiries.reception_date as inquiry_date,
        inquiries.first_message_at,
        inquiries.initiated_by,
        {{ inquiry_window_end('inquiries.reception_date', 'inquiries.rule_inquiry_valid_days') }}
            as inquiry_window_end_at,
        first_orders.order_id as first_order_id,
        first_orders.created_at as first_order_created_at,
        shop_view.ordered_same_day,
        shop_view.ordered,
        shop_view.paid_next_day,
        shop_view.paid_final,
        agent_view_order.ordered_same_day as order_agent_ordered_same_day,
        agent_view_order.ordered as order_agent_ordered,
        agent_view_order.paid_next_day as order_agent_paid_next_day,
        agent_view_order.paid_final as order_agent_paid_final,
        agent_view_payment.ordered_same_day as payment_agent_ordered_same_day,
        agent_view_payment.ordered as payment_agent_ordered,
        agent_view_payment.paid_next_day as payment_agent_paid_next_day,
        agent_view_payment.paid_final as payment_agent_paid_final,
        agent_view_order_first.ordered_same_day as order_first_agent_ordered_same_day,
        agent_view_order_first.ordered as order_first_agent_ordered,
        agent_view_order_first.paid_next_day as order_first_agent_paid_next_day,
        agent_view_order_first.paid_final as order_first_agent_paid_final
    from inquiries
    inner join shop_view
        on inquiries.reception_id = shop_view.reception_id
    {%- for rule in attribution_rules() %}
    inner join agent_view_{{ rule }}
        on inquiries.reception_id = agent_view_{{ rule }}.reception_id
    {%- endfor %}
    left join first_orders
        on
            inquiries.reception_id = first_orders.reception_id
            and first_orders.order_rank = 1
)

select * from final
