{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='sales_date',
          lookback_driver=order_rollup_driver()) }}
{#-
    One row per (platform, shop, product, attribution rule, paid date, source, agent): 商品销售 — paid order lines
    by credited agent (source agent) and silent (source silent, agent_id null). Line amount and quantity.
-#}
-- depends_on: {{ ref('int_orders__attributed') }}
with attributed as (
    select * from {{ ref('fct_order_attribution') }}
    where paid_at is not null and {{ incremental_window('cast(paid_at as date)') }}
),

items as (
    select * from {{ ref('stg_kefu__order_items') }}
),

final as (
    select
        attributed.platform,
        attributed.shop_id,
        items.product_id,
        max(items.product_name) as product_name,
        attributed.attribution_rule,
        cast(attributed.paid_at as date) as sales_date,
        case when attributed.is_silent then 'silent' else 'agent' end as source,
        attributed.credited_agent_id as agent_id,
        sum(items.amount) as sales_amount,
        cast(sum(items.quantity) as bigint) as sales_quantity,
        count(distinct attributed.order_id) as paid_orders,
        count(distinct attributed.buyer_key) as sales_buyers
    from attributed
    inner join items
        on attributed.order_id = items.order_id
    group by
        attributed.platform,
        attributed.shop_id,
        items.product_id,
        attributed.attribution_rule,
        cast(attributed.paid_at as date),
        attributed.is_silent,
        attributed.credited_agent_id
)

{{ select_with_shop_rules('final', 'final.sales_date', flag_shop_rule=true) }}
