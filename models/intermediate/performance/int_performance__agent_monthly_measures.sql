{#-
    One row per agent-month of int_agents__monthly_group and KPI metric (kpi_metrics()): numerator, denominator and
    value recomputed from the facts over the whole month (Σ numerator ÷ Σ denominator, distinct buyers over the
    month), never from daily rates; is_mature when every cohort the month can hold has matured against as_of.

      inquiry_to_order_rate       distinct inquiring buyers of the agent in the month whose inquiry ordered under
                                  the shop's rule in force on the inquiry date ÷ distinct inquiring buyers
                                  (fct_inquiry_conversion); mature when as_of >= month end + inquiry_valid_days
      inquiry_to_paid_final_rate  the same with paid_final; mature when as_of >= month end + final_pay_days
      three_minute_response_rate  rounds in the assessment window answered within the deadline ÷ such rounds
                                  (fct_response_rounds, round_measures)
      reply_rate                  replied ÷ replyable receptions (fct_reception_service, reception_measures)
      avg_first_response_seconds  Σ first-round response seconds ÷ answered first rounds of buyer-initiated receptions
      satisfaction_rate           satisfied ÷ rated
      sales_amount                Σ payment_amount of orders credited under the shop's rule, by paid date
                                  (int_performance__credited_orders); denominator null
      avg_order_value             sales_amount ÷ distinct paying buyers of the month (客单价)
    The non-cohort metrics are mature once the month is over (as_of > month end).
-#}
with agent_months as (
    select * from {{ ref('int_agents__monthly_group') }}
),

inquiries as (
    select * from {{ ref('fct_inquiry_conversion') }}
),

receptions as (
    select * from {{ ref('fct_reception_service') }}
),

rounds as (
    select * from {{ ref('fct_response_rounds') }}
),

credited as (
    select * from {{ ref('int_performance__credited_orders') }}
),

inquiry_flags as (
    -- each inquiry's agent flags under the shop's rule in force on the inquiry date
    select
        inquiries.platform,
        inquiries.shop_id,
        inquiries.agent_id,
        {{ month_start('inquiries.inquiry_date') }} as month_start,
        inquiries.buyer_key,
        case {{ shop_rule('attribution_rule') }}
            {%- for rule in attribution_rules() %}
            when '{{ rule }}' then inquiries.{{ rule }}_agent_ordered
            {%- endfor %}
        end as is_ordered,
        case {{ shop_rule('attribution_rule') }}
            {%- for rule in attribution_rules() %}
            when '{{ rule }}' then inquiries.{{ rule }}_agent_paid_final
            {%- endfor %}
        end as is_paid_final
    from inquiries
    {{ join_shop_rules('inquiries.platform', 'inquiries.shop_id', 'inquiries.inquiry_date') }}
),

conversion as (
    select
        platform,
        shop_id,
        agent_id,
        month_start,
        count(distinct buyer_key) as inquiry_buyers,
        count(distinct case when is_ordered then buyer_key end) as ordered_buyers,
        count(distinct case when is_paid_final then buyer_key end) as paid_final_buyers
    from inquiry_flags
    group by platform, shop_id, agent_id, month_start
),

reception_stats as (
    select
        receptions.platform,
        receptions.shop_id,
        receptions.agent_id,
        {{ month_start('receptions.reception_date') }} as month_start,
        {{ reception_measures('receptions') }}
    from receptions
    group by
        receptions.platform, receptions.shop_id, receptions.agent_id, {{ month_start('receptions.reception_date') }}
),

round_stats as (
    select
        rounds.platform,
        rounds.shop_id,
        rounds.agent_id,
        {{ month_start('rounds.round_date') }} as month_start,
        {{ round_measures('rounds') }}
    from rounds
    group by rounds.platform, rounds.shop_id, rounds.agent_id, {{ month_start('rounds.round_date') }}
),

sales as (
    select
        platform,
        shop_id,
        agent_id,
        paid_month as month_start,
        sum(payment_amount) as sales_amount,
        count(distinct buyer_key) as sales_buyers
    from credited
    group by platform, shop_id, agent_id, paid_month
),

joined as (
    select
        agent_months.platform,
        agent_months.shop_id,
        agent_months.agent_id,
        agent_months.month_start,
        {{ maturity_flags('agent_months.month_end', shop_rule('inquiry_valid_days'), shop_rule('final_pay_days')) }},
        as_of.as_of_date,
        coalesce(conversion.inquiry_buyers, 0) as inquiry_buyers,
        coalesce(conversion.ordered_buyers, 0) as ordered_buyers,
        coalesce(conversion.paid_final_buyers, 0) as paid_final_buyers,
        coalesce(round_stats.assessment_round_count, 0) as assessment_round_count,
        coalesce(round_stats.assessment_rounds_within_deadline_count, 0) as assessment_rounds_within_deadline_count,
        coalesce(reception_stats.replyable_reception_count, 0) as replyable_reception_count,
        coalesce(reception_stats.replied_reception_count, 0) as replied_reception_count,
        coalesce(reception_stats.first_response_seconds_sum, 0) as first_response_seconds_sum,
        coalesce(reception_stats.first_response_count, 0) as first_response_count,
        coalesce(reception_stats.rated_count, 0) as rated_count,
        coalesce(reception_stats.satisfied_count, 0) as satisfied_count,
        coalesce(sales.sales_amount, 0) as sales_amount,
        coalesce(sales.sales_buyers, 0) as sales_buyers
    from agent_months
    cross join {{ ref('int_as_of') }} as as_of
    {{ join_shop_rules('agent_months.platform', 'agent_months.shop_id', 'agent_months.month_end') }}
    left join conversion
        on
            agent_months.platform = conversion.platform
            and agent_months.shop_id = conversion.shop_id
            and agent_months.agent_id = conversion.agent_id
            and agent_months.month_start = conversion.month_start
    left join reception_stats
        on
            agent_months.platform = reception_stats.platform
            and agent_months.shop_id = reception_stats.shop_id
            and agent_months.agent_id = reception_stats.agent_id
            and agent_months.month_start = reception_stats.month_start
    left join round_stats
        on
            agent_months.platform = round_stats.platform
            and agent_months.shop_id = round_stats.shop_id
            and agent_months.agent_id = round_stats.agent_id
            and agent_months.month_start = round_stats.month_start
    left join sales
        on
            agent_months.platform = sales.platform
            and agent_months.shop_id = sales.shop_id
            and agent_months.agent_id = sales.agent_id
            and agent_months.month_start = sales.month_start
),

{#- the cohort a KPI's month must have finished to be final; its formula is the registry's (metric_registry.yml
    `sql`, through metric_ratio), sales_amount is the month's credited sales itself -#}
{%- set maturity = {
    'inquiry_to_order_rate': 'is_mature_ordered',
    'inquiry_to_paid_final_rate': 'is_mature_paid_final',
} %}
{%- set registry = metric_registry() %}

final as (
    {%- for metric in kpi_metrics() %}
    {%- set sql = registry[metric].sql %}
    select
        platform,
        shop_id,
        agent_id,
        month_start,
        '{{ metric }}' as metric_name,
        {%- if sql %}
        cast({{ sql.numerator | join(' + ') }} as double) as numerator,
        cast({{ sql.denominator | join(' + ') }} as double) as denominator,
        {{ metric_ratio(metric) }} as metric_value,
        {%- else %}
        cast({{ metric }} as double) as numerator,
        cast(null as double) as denominator,
        cast({{ metric }} as double) as metric_value,
        {%- endif %}
        {{ maturity.get(metric, 'is_mature_ordered_same_day') }} as is_mature,
        as_of_date
    from joined
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select * from final
