{{ config(
    materialized='incremental',
    incremental_strategy='lookback',
    lookback_column='created_at',
    unique_key=['order_id', 'attribution_rule']
) }}

{#-
    Incremental like its input int_orders__attributed: a run copies the orders that model may have recomputed (created,
    paid or updated from the look-back start on) and replaces them here, by key; rows created from the start on are
    replaced too (lookback_column created_at: the mart carries no activity date of its own).
-#}
with attributed as (
    select * from {{ ref('int_orders__attributed') }}
    where {{ incremental_window('activity_date') }}
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

-- the shop's rules in force on the row's date (seeds/shop_rules.csv, else the global vars)
select
    final.*,
    final.attribution_rule = {{ shop_rule('attribution_rule') }} as is_shop_rule
from final
{{ join_shop_rules('final.platform', 'final.shop_id', 'cast(final.created_at as date)') }}
