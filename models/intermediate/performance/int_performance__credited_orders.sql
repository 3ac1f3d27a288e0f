{#-
    One row per paid order credited to an agent under the shop's attribution rule in force on its paid date (the rule
    agg_agent_daily_sales flags with is_shop_rule): the 提成 input. refund_date = the business date of the order's
    latest updated_at when it carries a refund (raw_orders has no refund timestamp; DECISIONLOG "KPI scorecard and
    commission"), so a refund counts in the month it happened, whatever the month of the sale.
-#}
with attributed as (
    select * from {{ ref('fct_order_attribution') }}
    where paid_at is not null and not is_silent
),

orders as (
    select order_id, updated_at from {{ ref('stg_kefu__orders') }}
),

credited as (
    select
        attributed.platform,
        attributed.shop_id,
        attributed.order_id,
        attributed.credited_agent_id as agent_id,
        attributed.buyer_key,
        attributed.attribution_rule,
        cast(attributed.paid_at as date) as paid_date,
        attributed.payment_amount,
        coalesce(attributed.refund_amount, 0) as refund_amount
    from attributed
    {{ join_shop_rules('attributed.platform', 'attributed.shop_id', 'cast(attributed.paid_at as date)') }}
    where attributed.attribution_rule = {{ shop_rule('attribution_rule') }}
),

final as (
    select
        credited.*,
        {{ month_start('credited.paid_date') }} as paid_month,
        case when credited.refund_amount > 0 then cast(orders.updated_at as date) end as refund_date,
        case when credited.refund_amount > 0 then {{ month_start('cast(orders.updated_at as date)') }} end
            as refund_month
    from credited
    left join orders
        on credited.order_id = orders.order_id
)

select * from final
