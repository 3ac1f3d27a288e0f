{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='period_start_date',
          lookback_period_floor=true) }}
{#-
    One row per (platform, shop, agent group, period_type, period_start_date): the group's ISO week (Monday start)
    and natural month. Each day counts in the group its agents belonged to that day (int_agents__roster_history),
    so an agent moving group mid-week splits the week between the two groups. Distinct buyers of the group over the
    period (*_buyers) beside the sum of its daily distinct buyers (*_buyer_days, 按日累加 = Σ
    agg_group_daily_performance); service sums and rates Σ ÷ Σ (agg_group_daily_performance); inquiry cohorts
    (agg_group_daily_sales: 下单 under rule `order`, 付款 under the shop's rule); sales under the shop's rule with
    distinct paying buyers of the period.
-#}
{%- set period_key = ['platform', 'shop_id', 'group_name', 'period_type', 'period_start_date'] %}
{%- set period_parts = ['buyer_stats', 'service_stats', 'cohort_stats', 'sales_stats'] %}
with receptions as (
    select * from {{ ref('fct_receptions') }}
    where {{ incremental_window('reception_date') }}
),

group_days as (
    select * from {{ ref('agg_group_daily_performance') }}
    where {{ incremental_window('business_date') }}
),

group_sales as (
    select * from {{ ref('agg_group_daily_sales') }}
    where {{ incremental_window('activity_date') }}
),

paid as (
    select * from {{ ref('int_orders__paid_credited') }}
    where is_shop_rule and not is_silent and {{ incremental_window('paid_date') }}
),

group_buyer_days as (
    select
        platform,
        shop_id,
        coalesce(group_name, '未分组') as group_name,
        reception_date,
        buyer_key,
        bool_or(not is_filtered) as has_reception,
        bool_or(is_inquiry) as has_inquiry
    from receptions
    group by platform, shop_id, coalesce(group_name, '未分组'), reception_date, buyer_key
),

buyer_stats as (
    {{ period_buyer_counts('group_buyer_days', ['platform', 'shop_id', 'group_name'], 'reception_date',
                           {'consult': 'true', 'reception': 'has_reception', 'inquiry': 'has_inquiry'}) }}
),

service_rows as (
    {{ expand_periods('group_days', 'group_days.business_date') }}
),

service_stats as (
    select
        platform,
        shop_id,
        group_name,
        period_type,
        period_start_date,
        count(*) as active_day_count,
        {{ service_figure_sums() }}
    from service_rows
    group by platform, shop_id, group_name, period_type, period_start_date
),

cohort_rows as (
    {{ expand_periods('group_sales', 'group_sales.activity_date') }}
),

cohort_stats as (
    select
        platform,
        shop_id,
        group_name,
        period_type,
        period_start_date,
        {{ period_cohort_sums() }}
    from cohort_rows
    group by platform, shop_id, group_name, period_type, period_start_date
),

sales_buyer_days as (
    select
        platform,
        shop_id,
        coalesce(group_name, '未分组') as group_name,
        paid_date,
        buyer_key,
        sum(payment_amount) as sales_amount,
        sum(item_quantity) as sales_quantity,
        count(*) as paid_orders
    from paid
    group by platform, shop_id, coalesce(group_name, '未分组'), paid_date, buyer_key
),

sales_rows as (
    {{ expand_periods('sales_buyer_days', 'sales_buyer_days.paid_date') }}
),

sales_stats as (
    select
        platform,
        shop_id,
        group_name,
        period_type,
        period_start_date,
        {{ period_sales_sums() }}
    from sales_rows
    group by platform, shop_id, group_name, period_type, period_start_date
),

group_periods as (
    {{ union_of_keys(period_key, period_parts) }}
),

final as (
    select
        group_periods.platform,
        group_periods.shop_id,
        group_periods.group_name,
        group_periods.period_type,
        group_periods.period_start_date,
        {{ period_end('group_periods.period_type', 'group_periods.period_start_date') }} as period_end_date,
        coalesce(service_stats.active_day_count, 0) as active_day_count,
        {{ period_figure_columns('buyer_stats', 'service_stats', 'cohort_stats', 'sales_stats') }}
    from group_periods
    {{ left_join_on_keys('group_periods', period_parts, period_key) }}
)

select * from final
where {{ incremental_window('period_start_date') }}
