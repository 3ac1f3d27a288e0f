{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='period_start_date',
          lookback_period_floor=true) }}
{#-
    One row per (platform, shop, agent, period_type, period_start_date): the agent's week (ISO, Monday start) and
    natural month. Distinct buyers over the period (*_buyers: a buyer received on three days of the week counts once)
    beside the sum of the daily figures (*_buyer_days, 按日累加 = Σ agg_agent_daily_receptions); service numerators and
    denominators summed over the days with the rates as Σ ÷ Σ; inquiry cohorts (Σ agg_agent_daily_conversion:
    下单 under rule `order`, 付款 under the shop's rule); sales under the shop's rule in force on the paid date, with
    distinct paying buyers of the period. group_name = the agent's group on the last day of the period with a
    service row (the group-period mart splits a mid-period move exactly).
-#}
{%- set period_key = ['platform', 'shop_id', 'agent_id', 'period_type', 'period_start_date'] %}
{%- set period_parts = ['buyer_stats', 'service_stats', 'cohort_stats', 'sales_stats'] %}
with receptions as (
    select * from {{ ref('fct_receptions') }}
    where {{ incremental_window('reception_date') }}
),

service as (
    select * from {{ ref('agg_agent_daily_service') }}
    where {{ incremental_window('service_date') }}
),

cohorts as (
    select * from {{ ref('agg_agent_daily_conversion') }}
    where {{ incremental_window('inquiry_date') }}
),

paid as (
    select * from {{ ref('int_orders__paid_credited') }}
    where is_shop_rule and not is_silent and {{ incremental_window('paid_date') }}
),

buyer_stats as (
    {{ period_buyer_counts('receptions', ['platform', 'shop_id', 'agent_id'], 'reception_date',
                           {'consult': 'true', 'reception': 'not is_filtered', 'inquiry': 'is_inquiry'}) }}
),

service_rows as (
    {{ expand_periods('service', 'service.service_date') }}
),

service_stats as (
    select
        platform,
        shop_id,
        agent_id,
        period_type,
        period_start_date,
        {{ arg_max_of('group_name', 'service_date') }} as group_name,
        {{ arg_max_of('agent_name', 'service_date') }} as agent_name,
        count(*) as active_day_count,
        {{ service_figure_sums() }}
    from service_rows
    group by platform, shop_id, agent_id, period_type, period_start_date
),

cohort_rows as (
    {{ expand_periods('cohorts', 'cohorts.inquiry_date') }}
),

cohort_stats as (
    select
        platform,
        shop_id,
        agent_id,
        period_type,
        period_start_date,
        {{ period_cohort_sums() }}
    from cohort_rows
    group by platform, shop_id, agent_id, period_type, period_start_date
),

sales_buyer_days as (
    select
        platform,
        shop_id,
        credited_agent_id as agent_id,
        paid_date,
        buyer_key,
        sum(payment_amount) as sales_amount,
        sum(item_quantity) as sales_quantity,
        count(*) as paid_orders
    from paid
    group by platform, shop_id, credited_agent_id, paid_date, buyer_key
),

sales_rows as (
    {{ expand_periods('sales_buyer_days', 'sales_buyer_days.paid_date') }}
),

sales_stats as (
    select
        platform,
        shop_id,
        agent_id,
        period_type,
        period_start_date,
        {{ period_sales_sums() }}
    from sales_rows
    group by platform, shop_id, agent_id, period_type, period_start_date
),

agent_periods as (
    {{ union_of_keys(period_key, period_parts) }}
),

final as (
    select
        agent_periods.platform,
        agent_periods.shop_id,
        agent_periods.agent_id,
        agent_periods.period_type,
        agent_periods.period_start_date,
        {{ period_end('agent_periods.period_type', 'agent_periods.period_start_date') }} as period_end_date,
        service_stats.group_name,
        service_stats.agent_name,
        coalesce(service_stats.active_day_count, 0) as active_day_count,
        {{ period_figure_columns('buyer_stats', 'service_stats', 'cohort_stats', 'sales_stats') }}
    from agent_periods
    {{ left_join_on_keys('agent_periods', period_parts, period_key) }}
)

select * from final
where {{ incremental_window('period_start_date') }}
