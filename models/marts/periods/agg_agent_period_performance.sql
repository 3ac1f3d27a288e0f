{#-
    One row per (platform, shop, agent, period_type, period_start_date): the agent's week (ISO, Monday start) and
    natural month. Distinct buyers over the period (*_buyers: a buyer received on three days of the week counts once)
    beside the sum of the daily figures (*_buyer_days, 按日累加 = Σ agg_agent_daily_receptions); service numerators and
    denominators summed over the days with the rates as Σ ÷ Σ; inquiry cohorts (Σ agg_agent_daily_conversion:
    下单 under rule `order`, 付款 under the shop's rule); sales under the shop's rule in force on the paid date, with
    distinct paying buyers of the period. group_name = the agent's group on the last day of the period with a
    service row (the group-period mart splits a mid-period move exactly).
-#}
with receptions as (
    select * from {{ ref('fct_receptions') }}
),

service as (
    select * from {{ ref('agg_agent_daily_service') }}
),

cohorts as (
    select * from {{ ref('agg_agent_daily_conversion') }}
),

paid as (
    select * from {{ ref('int_orders__paid_credited') }}
    where is_shop_rule and not is_silent
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
        cast(sum(replyable_reception_count) as bigint) as replyable_reception_count,
        cast(sum(replied_reception_count) as bigint) as replied_reception_count,
        cast(sum(assessment_round_count) as bigint) as assessment_round_count,
        cast(sum(assessment_rounds_within_deadline_count) as bigint) as assessment_rounds_within_deadline_count,
        cast(sum(first_response_seconds_sum) as double) as first_response_seconds_sum,
        cast(sum(first_response_count) as bigint) as first_response_count,
        cast(sum(answered_round_count) as bigint) as answered_round_count,
        cast(sum(total_response_seconds) as double) as total_response_seconds,
        cast(sum(rated_count) as bigint) as rated_count,
        cast(sum(satisfied_count) as bigint) as satisfied_count,
        cast(sum(feige_session_count) as bigint) as feige_session_count,
        cast(sum(feige_passed_session_count) as bigint) as feige_passed_session_count,
        cast(sum(online_seconds) as bigint) as online_seconds
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
        cast(sum(inquiry_buyers) filter (where attribution_rule = 'order') as bigint) as cohort_inquiry_buyer_days,
        cast(sum(ordered_buyers) filter (where attribution_rule = 'order') as bigint) as ordered_buyer_days,
        cast(sum(paid_final_buyers) filter (where is_shop_rule) as bigint) as paid_final_buyer_days
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
        sum(sales_amount) as sales_amount,
        cast(sum(sales_quantity) as bigint) as sales_quantity,
        cast(sum(paid_orders) as bigint) as paid_orders,
        count(distinct buyer_key) as sales_buyers,
        count(*) as sales_buyer_days
    from sales_rows
    group by platform, shop_id, agent_id, period_type, period_start_date
),

agent_periods as (
    select platform, shop_id, agent_id, period_type, period_start_date from buyer_stats
    union
    select platform, shop_id, agent_id, period_type, period_start_date from service_stats
    union
    select platform, shop_id, agent_id, period_type, period_start_date from cohort_stats
    union
    select platform, shop_id, agent_id, period_type, period_start_date from sales_stats
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
        coalesce(buyer_stats.consult_buyers, 0) as consult_buyers,
        coalesce(buyer_stats.consult_buyer_days, 0) as consult_buyer_days,
        coalesce(buyer_stats.reception_buyers, 0) as reception_buyers,
        coalesce(buyer_stats.reception_buyer_days, 0) as reception_buyer_days,
        coalesce(buyer_stats.inquiry_buyers, 0) as inquiry_buyers,
        coalesce(buyer_stats.inquiry_buyer_days, 0) as inquiry_buyer_days,
        {{ period_service_columns('service_stats') }},
        coalesce(cohort_stats.cohort_inquiry_buyer_days, 0) as cohort_inquiry_buyer_days,
        coalesce(cohort_stats.ordered_buyer_days, 0) as ordered_buyer_days,
        coalesce(cohort_stats.paid_final_buyer_days, 0) as paid_final_buyer_days,
        {{ safe_ratio('cohort_stats.ordered_buyer_days', 'cohort_stats.cohort_inquiry_buyer_days') }}
            as inquiry_to_order_rate,
        {{ safe_ratio('cohort_stats.paid_final_buyer_days', 'cohort_stats.cohort_inquiry_buyer_days') }}
            as inquiry_to_paid_final_rate,
        {{ period_sales_columns('sales_stats') }}
    from agent_periods
    left join buyer_stats
        on
            agent_periods.platform = buyer_stats.platform
            and agent_periods.shop_id = buyer_stats.shop_id
            and agent_periods.agent_id = buyer_stats.agent_id
            and agent_periods.period_type = buyer_stats.period_type
            and agent_periods.period_start_date = buyer_stats.period_start_date
    left join service_stats
        on
            agent_periods.platform = service_stats.platform
            and agent_periods.shop_id = service_stats.shop_id
            and agent_periods.agent_id = service_stats.agent_id
            and agent_periods.period_type = service_stats.period_type
            and agent_periods.period_start_date = service_stats.period_start_date
    left join cohort_stats
        on
            agent_periods.platform = cohort_stats.platform
            and agent_periods.shop_id = cohort_stats.shop_id
            and agent_periods.agent_id = cohort_stats.agent_id
            and agent_periods.period_type = cohort_stats.period_type
            and agent_periods.period_start_date = cohort_stats.period_start_date
    left join sales_stats
        on
            agent_periods.platform = sales_stats.platform
            and agent_periods.shop_id = sales_stats.shop_id
            and agent_periods.agent_id = sales_stats.agent_id
            and agent_periods.period_type = sales_stats.period_type
            and agent_periods.period_start_date = sales_stats.period_start_date
)

select * from final
