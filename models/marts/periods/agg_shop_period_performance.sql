{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='period_start_date',
          lookback_period_floor=true) }}
{#-
    One row per (platform, shop, period_type, period_start_date): the shop's ISO week (Monday start) and natural
    month. Distinct buyers of the shop over the period (*_buyers; filtered = every reception of the buyer in the
    period filtered) beside the sum of its daily distinct buyers (*_buyer_days, 按日累加 = Σ agg_shop_daily_receptions);
    service sums and rates Σ ÷ Σ (agg_shop_daily_service); shop inquiry cohorts summed over the inquiry dates
    (agg_shop_daily_conversion); sales under the shop's rule in force on the paid date, split 客服 / 静默, with
    distinct paying buyers of the period.
-#}
{%- set period_key = ['platform', 'shop_id', 'period_type', 'period_start_date'] %}
{%- set period_parts = ['buyer_stats', 'service_stats', 'cohort_stats', 'sales_stats'] %}
with shop_buyer_days as (
    select * from {{ ref('int_receptions__shop_buyer_days') }}
    where {{ incremental_window('reception_date') }}
),

shop_days as (
    select * from {{ ref('agg_shop_daily_service') }}
    where {{ incremental_window('service_date') }}
),

shop_cohorts as (
    select * from {{ ref('agg_shop_daily_conversion') }}
    where {{ incremental_window('inquiry_date') }}
),

paid as (
    select * from {{ ref('int_orders__paid_credited') }}
    where is_shop_rule and {{ incremental_window('paid_date') }}
),

buyer_stats as (
    {{ period_buyer_counts('shop_buyer_days', ['platform', 'shop_id'], 'reception_date',
                           {'consult': 'true', 'reception': 'has_reception', 'inquiry': 'has_inquiry'}) }}
),

service_rows as (
    {{ expand_periods('shop_days', 'shop_days.service_date') }}
),

service_stats as (
    select
        platform,
        shop_id,
        period_type,
        period_start_date,
        count(*) as active_day_count,
        {{ service_figure_sums() }}
    from service_rows
    group by platform, shop_id, period_type, period_start_date
),

cohort_rows as (
    {{ expand_periods('shop_cohorts', 'shop_cohorts.inquiry_date') }}
),

cohort_stats as (
    select
        platform,
        shop_id,
        period_type,
        period_start_date,
        cast(sum(inquiry_buyers) as bigint) as cohort_inquiry_buyer_days,
        cast(sum(ordered_buyers) as bigint) as ordered_buyer_days,
        cast(sum(paid_final_buyers) as bigint) as paid_final_buyer_days
    from cohort_rows
    group by platform, shop_id, period_type, period_start_date
),

sales_buyer_days as (
    select
        platform,
        shop_id,
        paid_date,
        buyer_key,
        sum(payment_amount) as sales_amount,
        sum(case when not is_silent then payment_amount else 0 end) as agent_sales_amount,
        sum(case when is_silent then payment_amount else 0 end) as silent_sales_amount,
        sum(item_quantity) as sales_quantity,
        count(*) as paid_orders
    from paid
    group by platform, shop_id, paid_date, buyer_key
),

sales_rows as (
    {{ expand_periods('sales_buyer_days', 'sales_buyer_days.paid_date') }}
),

sales_stats as (
    select
        platform,
        shop_id,
        period_type,
        period_start_date,
        sum(sales_amount) as sales_amount,
        sum(agent_sales_amount) as agent_sales_amount,
        sum(silent_sales_amount) as silent_sales_amount,
        cast(sum(sales_quantity) as bigint) as sales_quantity,
        cast(sum(paid_orders) as bigint) as paid_orders,
        count(distinct buyer_key) as sales_buyers,
        count(*) as sales_buyer_days
    from sales_rows
    group by platform, shop_id, period_type, period_start_date
),

shop_periods as (
    {{ union_of_keys(period_key, period_parts) }}
),

final as (
    select
        shop_periods.platform,
        shop_periods.shop_id,
        shop_periods.period_type,
        shop_periods.period_start_date,
        {{ period_end('shop_periods.period_type', 'shop_periods.period_start_date') }} as period_end_date,
        coalesce(service_stats.active_day_count, 0) as active_day_count,
        coalesce(buyer_stats.consult_buyers, 0) as consult_buyers,
        coalesce(buyer_stats.consult_buyer_days, 0) as consult_buyer_days,
        coalesce(buyer_stats.reception_buyers, 0) as reception_buyers,
        coalesce(buyer_stats.reception_buyer_days, 0) as reception_buyer_days,
        coalesce(buyer_stats.consult_buyers, 0) - coalesce(buyer_stats.reception_buyers, 0) as filtered_buyers,
        coalesce(buyer_stats.consult_buyer_days, 0) - coalesce(buyer_stats.reception_buyer_days, 0)
            as filtered_buyer_days,
        coalesce(buyer_stats.inquiry_buyers, 0) as inquiry_buyers,
        coalesce(buyer_stats.inquiry_buyer_days, 0) as inquiry_buyer_days,
        {{ period_service_columns('service_stats') }},
        coalesce(cohort_stats.cohort_inquiry_buyer_days, 0) as cohort_inquiry_buyer_days,
        coalesce(cohort_stats.ordered_buyer_days, 0) as ordered_buyer_days,
        coalesce(cohort_stats.paid_final_buyer_days, 0) as paid_final_buyer_days,
        {{ metric_ratio('inquiry_to_order_rate', 'cohort_stats', grain='period') }}
            as inquiry_to_order_rate,
        {{ metric_ratio('inquiry_to_paid_final_rate', 'cohort_stats', grain='period') }}
            as inquiry_to_paid_final_rate,
        {{ period_sales_columns('sales_stats') }},
        coalesce(sales_stats.agent_sales_amount, 0) as agent_sales_amount,
        coalesce(sales_stats.silent_sales_amount, 0) as silent_sales_amount
    from shop_periods
    {{ left_join_on_keys('shop_periods', period_parts, period_key) }}
)

select * from final
where {{ incremental_window('period_start_date') }}
