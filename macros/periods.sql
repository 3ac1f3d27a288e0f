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
        {{ metric_ratio('inquiry_to_order_rate', cohorts, grain='period') }}
            as inquiry_to_order_rate,
        {{ metric_ratio('inquiry_to_paid_final_rate', cohorts, grain='period') }}
            as inquiry_to_paid_final_rate,
        {{ period_sales_columns(sales) }}
{%- endmacro %}

{% macro period_service_columns(stats) -%}
    {#- The service columns of a period mart from a relation of summed numerators and denominators: each sum, then
        the rate as Σ numerator ÷ Σ denominator (null without a denominator). -#}
    coalesce({{ stats }}.replyable_reception_count, 0) as replyable_reception_count,
        coalesce({{ stats }}.replied_reception_count, 0) as replied_reception_count,
        {{ metric_ratio('reply_rate', stats) }} as reply_rate,
        coalesce({{ stats }}.assessment_round_count, 0) as assessment_round_count,
        coalesce({{ stats }}.assessment_rounds_within_deadline_count, 0) as assessment_rounds_within_deadline_count,
        {{ metric_ratio('three_minute_response_rate', stats) }}
            as three_minute_response_rate,
        coalesce({{ stats }}.first_response_seconds_sum, 0) as first_response_seconds_sum,
        coalesce({{ stats }}.first_response_count, 0) as first_response_count,
        {{ metric_ratio('avg_first_response_seconds', stats) }}
            as avg_first_response_seconds,
        coalesce({{ stats }}.answered_round_count, 0) as answered_round_count,
        coalesce({{ stats }}.total_response_seconds, 0) as total_response_seconds,
        {{ metric_ratio('avg_response_seconds', stats) }} as avg_response_seconds,
        coalesce({{ stats }}.rated_count, 0) as rated_count,
        coalesce({{ stats }}.satisfied_count, 0) as satisfied_count,
        {{ metric_ratio('satisfaction_rate', stats) }} as satisfaction_rate,
        coalesce({{ stats }}.feige_session_count, 0) as feige_session_count,
        coalesce({{ stats }}.feige_passed_session_count, 0) as feige_passed_session_count,
        {{ metric_ratio('feige_session_reply_rate', stats) }}
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
        {{ metric_ratio('avg_order_value', stats) }} as avg_order_value_per_buyer
{%- endmacro %}

{% macro service_figure_sums(with_slow_rounds=false) -%}
    {#- The re-aggregable service figures of agg_agent_daily_service summed over a group of its rows (a group-day, or
        an agent's, group's or shop's period), each cast as in the day mart. -#}
    cast(sum(replyable_reception_count) as bigint) as replyable_reception_count,
    cast(sum(replied_reception_count) as bigint) as replied_reception_count,
    cast(sum(assessment_round_count) as bigint) as assessment_round_count,
    cast(sum(assessment_rounds_within_deadline_count) as bigint) as assessment_rounds_within_deadline_count,
    cast(sum(first_response_seconds_sum) as double) as first_response_seconds_sum,
    cast(sum(first_response_count) as bigint) as first_response_count,
    cast(sum(answered_round_count) as bigint) as answered_round_count,
    cast(sum(total_response_seconds) as double) as total_response_seconds,
    {%- if with_slow_rounds %}
    cast(sum(slow_round_count) as bigint) as slow_round_count,
    {%- endif %}
    cast(sum(rated_count) as bigint) as rated_count,
    cast(sum(satisfied_count) as bigint) as satisfied_count,
    cast(sum(feige_session_count) as bigint) as feige_session_count,
    cast(sum(feige_passed_session_count) as bigint) as feige_passed_session_count,
    cast(sum(online_seconds) as bigint) as online_seconds
{%- endmacro %}

{% macro period_cohort_sums() -%}
    {#- A period's inquiry cohorts summed from day rows of the agent/group daily sales (按日累加): inquiry and ordered
        buyer-days under the order rule (询单→下单 per agent does not depend on the rule), paid-final buyer-days under
        the shop's rule. -#}
    cast(sum(inquiry_buyers) filter (where attribution_rule = 'order') as bigint) as cohort_inquiry_buyer_days,
    cast(sum(ordered_buyers) filter (where attribution_rule = 'order') as bigint) as ordered_buyer_days,
    cast(sum(paid_final_buyers) filter (where is_shop_rule) as bigint) as paid_final_buyer_days
{%- endmacro %}

{% macro union_of_keys(key_columns, relations) -%}
    {#- Every key that occurs in any of `relations` (each once): the rows a rollup of several parts is built on. -#}
    {%- for relation in relations %}
    {{ 'union' if not loop.first }}
    select {{ key_columns | join(', ') }} from {{ relation }}
    {%- endfor %}
{%- endmacro %}

{% macro left_join_on_keys(base, relations, key_columns) -%}
    {#- `left join r on base.k = r.k and …` for each relation: the parts of a rollup beside their union of keys. -#}
    {%- for relation in relations %}
    left join {{ relation }}
        on {{ keys_equal(key_columns, base, relation) }}
    {%- endfor %}
{%- endmacro %}

{% macro period_sales_sums() -%}
    {#- A period's credited sales from buyer-day rows (expand_periods): amounts, quantities and orders summed,
        buyers distinct over the period beside their buyer-days. -#}
    sum(sales_amount) as sales_amount,
    cast(sum(sales_quantity) as bigint) as sales_quantity,
    cast(sum(paid_orders) as bigint) as paid_orders,
    count(distinct buyer_key) as sales_buyers,
    count(*) as sales_buyer_days
{%- endmacro %}
