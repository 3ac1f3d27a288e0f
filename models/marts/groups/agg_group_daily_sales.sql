{#-
    One row per (platform, shop, agent group, attribution rule, date): sales credited to the group's agents under the
    rule by paid date (销售额 / 销售量 / distinct paying buyers of the group / 订单数, from int_orders__paid_credited),
    and the group's inquiry cohorts by inquiry date (Σ over the group's agents of agg_agent_daily_conversion:
    inquiry_buyers, ordered_buyers, paid_final_buyers and the rates Σ ÷ Σ). The group is the credited agent's group
    on the paid date, and the inquiring agent's group on the inquiry date. is_shop_rule marks the shop's rule.
-#}
with paid as (
    select * from {{ ref('int_orders__paid_credited') }}
    where not is_silent
),

cohorts as (
    select * from {{ ref('agg_agent_daily_conversion') }}
),

sales as (
    select
        platform,
        shop_id,
        coalesce(group_name, '未分组') as group_name,
        attribution_rule,
        paid_date as activity_date,
        sum(payment_amount) as sales_amount,
        cast(sum(item_quantity) as bigint) as sales_quantity,
        count(distinct buyer_key) as sales_buyers,
        count(*) as paid_orders
    from paid
    group by platform, shop_id, coalesce(group_name, '未分组'), attribution_rule, paid_date
),

conversion as (
    select
        platform,
        shop_id,
        coalesce(group_name, '未分组') as group_name,
        attribution_rule,
        inquiry_date as activity_date,
        cast(sum(inquiry_buyers) as bigint) as inquiry_buyers,
        cast(sum(ordered_buyers) as bigint) as ordered_buyers,
        cast(sum(paid_final_buyers) as bigint) as paid_final_buyers
    from cohorts
    group by platform, shop_id, coalesce(group_name, '未分组'), attribution_rule, inquiry_date
),

final as (
    select
        coalesce(sales.platform, conversion.platform) as platform,
        coalesce(sales.shop_id, conversion.shop_id) as shop_id,
        coalesce(sales.group_name, conversion.group_name) as group_name,
        coalesce(sales.attribution_rule, conversion.attribution_rule) as attribution_rule,
        coalesce(sales.activity_date, conversion.activity_date) as activity_date,
        coalesce(sales.sales_amount, 0) as sales_amount,
        coalesce(sales.sales_quantity, 0) as sales_quantity,
        coalesce(sales.sales_buyers, 0) as sales_buyers,
        coalesce(sales.paid_orders, 0) as paid_orders,
        coalesce(conversion.inquiry_buyers, 0) as inquiry_buyers,
        coalesce(conversion.ordered_buyers, 0) as ordered_buyers,
        coalesce(conversion.paid_final_buyers, 0) as paid_final_buyers,
        {{ metric_ratio('inquiry_to_order_rate', 'conversion') }} as ordered_rate,
        {{ metric_ratio('inquiry_to_paid_final_rate', 'conversion') }} as paid_final_rate
    from sales
    full outer join conversion
        on
            sales.platform = conversion.platform
            and sales.shop_id = conversion.shop_id
            and sales.group_name = conversion.group_name
            and sales.attribution_rule = conversion.attribution_rule
            and sales.activity_date = conversion.activity_date
)

{{ select_with_shop_rules('final', 'final.activity_date', flag_shop_rule=true) }}
