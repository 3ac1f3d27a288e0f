{% macro period_types() -%}
    {#- A relation with one row per published period type: 'week' (ISO week, Monday start) and 'month' (natural
        month). Cross-joined with day rows by expand_periods() so each day lands in its week and its month. -#}
    (
        select 'week' as period_type
        union all
        select 'month' as period_type
    )
{%- endmacro %}

{% macro period_start(period_type, date_expr) -%}
    {#- First day of the period holding date_expr: the Monday of its ISO week, or the 1st of its month. -#}
    case when {{ period_type }} = 'week'
        then cast({{ dbt.date_trunc('week', date_expr) }} as date)
        else cast({{ dbt.date_trunc('month', date_expr) }} as date)
    end
{%- endmacro %}

{% macro period_end(period_type, start_expr) -%}
    {#- Last day of a period starting on start_expr (inclusive): Sunday of the week, or the month's last day. -#}
    case when {{ period_type }} = 'week'
        then cast({{ dbt.dateadd('day', 6, start_expr) }} as date)
        else cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, start_expr)) }} as date)
    end
{%- endmacro %}

{% macro expand_periods(relation, date_expr) -%}
    {#- Every row of `relation` twice, once per period type, with period_type and period_start_date added: the
        input of a period rollup (group by the keys, period_type, period_start_date). -#}
    select
        {{ relation }}.*,
        periods.period_type,
        {{ period_start('periods.period_type', date_expr) }} as period_start_date
    from {{ relation }}
    cross join {{ period_types() }} as periods
{%- endmacro %}

{% macro period_buyer_counts(relation, keys, date_column, flags) -%}
    {#-
        Distinct buyers over each week and month, beside the sum of daily buyers (按日累加). `relation` holds one row
        per (keys…, buyer_key, date_column) — a buyer-day; `flags` maps a name to a boolean expression over its
        columns. Gives per (keys…, period_type, period_start_date), for each flag name f: f_buyers (buyers for
        whom f held on at least one day of the period: each buyer once) and f_buyer_days (days summed over buyers:
        the sum of the daily distinct figure).
    -#}
    {%- set key_list = keys | join(', ') -%}
    with period_rows as (
        {{ expand_periods(relation, relation ~ '.' ~ date_column) }}
    ),

    period_buyers as (
        select
            {{ key_list }},
            period_type,
            period_start_date,
            buyer_key,
            {%- for name, condition in flags.items() %}
            count(*) filter (where {{ condition }}) as {{ name }}_days{{ "," if not loop.last }}
            {%- endfor %}
        from period_rows
        group by {{ key_list }}, period_type, period_start_date, buyer_key
    )

    select
        {{ key_list }},
        period_type,
        period_start_date,
        {%- for name in flags %}
        count(*) filter (where {{ name }}_days > 0) as {{ name }}_buyers,
        cast(sum({{ name }}_days) as bigint) as {{ name }}_buyer_days{{ "," if not loop.last }}
        {%- endfor %}
    from period_buyers
    group by {{ key_list }}, period_type, period_start_date
{%- endmacro %}

{% macro period_figure_columns(buyers, service, cohorts, sales) -%}
    {#- The figure columns of the agent and group period marts: distinct and 按日累加 buyers, the service sums and rates,
        the inquiry-cohort sums with 下单 / 付款 conversion, the sales columns. -#}
    coalesce({{ buyers }}.consult_buyers, 0) as consult_buyers,
        coalesce({{ buyers }}.consult_buyer_days, 0) as consult_buyer_days,
        coalesce({{ buyers }}.reception_buyers, 0) as reception_buyers,
        coalesce({{ buyers }}.reception_buyer_days, 0) as reception_buyer_days,
        coalesce({{ buyers }}.inquiry_buyers, 0) as inquiry_buyers,
        coalesce({{ buyers }}.inquiry_buyer_days, 0) as inquiry_buyer_days,
        {{ period_service_columns(service) }},
        coalesce({{ cohorts }}.cohort_inquiry_buyer_days, 0) as cohort_inquiry_buyer_days,
        coalesce({{ cohorts }}.ordered_buyer_days, 0) as ordered_buyer_days,
        coalesce({{ cohorts }}.paid_final_buyer_days, 0) as paid_final_buyer_days,
        {{ safe_ratio(cohorts ~ '.ordered_buyer_days', cohorts ~ '.cohort_inquiry_buyer_days') }}
            as inquiry_to_order_rate,
        {{ safe_ratio(cohorts ~ '.paid_final_buyer_days', cohorts ~ '.cohort_inquiry_buyer_days') }}
            as inquiry_to_paid_final_rate,
        {{ period_sales_columns(sales) }}
{%- endmacro %}

{% macro period_service_columns(stats) -%}
    {#- The service columns of a period mart from a relation of summed numerators and denominators: each sum, then
        the rate as Σ numerator ÷ Σ denominator (null without a denominator). -#}
    coalesce({{ stats }}.replyable_reception_count, 0) as replyable_reception_count,
        coalesce({{ stats }}.replied_reception_count, 0) as replied_reception_count,
        {{ safe_ratio(stats ~ '.replied_reception_count', stats ~ '.replyable_reception_count') }} as reply_rate,
        coalesce({{ stats }}.assessment_round_count, 0) as assessment_round_count,
        coalesce({{ stats }}.assessment_rounds_within_deadline_count, 0) as assessment_rounds_within_deadline_count,
        {{ safe_ratio(stats ~ '.assessment_rounds_within_deadline_count', stats ~ '.assessment_round_count') }}
            as three_minute_response_rate,
        coalesce({{ stats }}.first_response_seconds_sum, 0) as first_response_seconds_sum,
        coalesce({{ stats }}.first_response_count, 0) as first_response_count,
        {{ safe_ratio(stats ~ '.first_response_seconds_sum', stats ~ '.first_response_count') }}
            as avg_first_response_seconds,
        coalesce({{ stats }}.answered_round_count, 0) as answered_round_count,
        coalesce({{ stats }}.total_response_seconds, 0) as total_response_seconds,
        {{ safe_ratio(stats ~ '.total_response_seconds', stats ~ '.answered_round_count') }} as avg_response_seconds,
        coalesce({{ stats }}.rated_count, 0) as rated_count,
        coalesce({{ stats }}.satisfied_count, 0) as satisfied_count,
        {{ safe_ratio(stats ~ '.satisfied_count', stats ~ '.rated_count') }} as satisfaction_rate,
        coalesce({{ stats }}.feige_session_count, 0) as feige_session_count,
        coalesce({{ stats }}.feige_passed_session_count, 0) as feige_passed_session_count,
        {{ safe_ratio(stats ~ '.feige_passed_session_count', stats ~ '.feige_session_count') }}
            as feige_session_reply_rate,
        coalesce({{ stats }}.online_seconds, 0) as online_seconds
{%- endmacro %}

{% macro period_sales_columns(stats) -%}
    {#- The sales columns of a period mart (shop's rule): amount, quantity, orders, distinct paying buyers of the
        period and the sum of daily paying buyers (按日累加), 客单价 over distinct buyers. -#}
    coalesce({{ stats }}.sales_amount, 0) as sales_amount,
        coalesce({{ stats }}.sales_quantity, 0) as sales_quantity,
        coalesce({{ stats }}.paid_orders, 0) as paid_orders,
        coalesce({{ stats }}.sales_buyers, 0) as sales_buyers,
        coalesce({{ stats }}.sales_buyer_days, 0) as sales_buyer_days,
        {{ safe_ratio(stats ~ '.sales_amount', stats ~ '.sales_buyers') }} as avg_order_value_per_buyer
{%- endmacro %}
