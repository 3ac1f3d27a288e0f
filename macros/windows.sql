{% macro day_start(date_expr, plus_days=0) -%}
    {#- Midnight at the start of a business date (+ plus_days), as a timestamp. -#}
    cast({{ dbt.dateadd('day', plus_days, 'cast(' ~ date_expr ~ ' as date)') }} as timestamp)
{%- endmacro %}

{% macro inquiry_window_end(date_expr, valid_days=none) -%}
    {#- Exclusive end of the inquiry window of a reception dated date_expr:
        end of day D + inquiry_valid_days - 1 (询单有效时长, default 2 = same or next day). valid_days: a SQL
        expression (the shop's rule, e.g. shop_rule('inquiry_valid_days')); default the global var. -#}
    {{ day_start(date_expr, var('inquiry_valid_days') if valid_days is none else valid_days) }}
{%- endmacro %}

{% macro payment_horizon_end(date_expr, horizon_days) -%}
    {#- Exclusive end of a payment horizon: end of day D + horizon_days - 1 (次日付款: 2, 最终付款: final_pay_days). -#}
    {{ day_start(date_expr, horizon_days) }}
{%- endmacro %}
