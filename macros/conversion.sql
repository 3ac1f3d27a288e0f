{% macro conversion_flags(start_at, cohort_date, created_at, paid_at, inquiry_days=none, final_days=none) %}
    {#-
        The four 询单转化 measures of one inquiry (or one shop buyer-day), as bool_or aggregates over joined orders
        (docs/metrics.md §2). Window: [start_at, end of cohort_date + inquiry_valid_days − 1].
          ordered_same_day  order created in [start_at, end of D]
          ordered           order created in the inquiry window
          paid_next_day     such an order paid by end of D + 1
          paid_final        such an order paid by end of D + final_pay_days − 1
        inquiry_days / final_days: SQL expressions of the shop's rules in force on D (default: the global vars).
    -#}
    {%- set final_days = var('final_pay_days') if final_days is none else final_days %}
    {%- set in_window -%}
        ({{ created_at }} >= {{ start_at }} and {{ created_at }} < {{ inquiry_window_end(cohort_date, inquiry_days) }})
    {%- endset %}
    coalesce(bool_or({{ created_at }} >= {{ start_at }} and {{ created_at }} < {{ day_start(cohort_date, 1) }}), false)
        as ordered_same_day,
    coalesce(bool_or({{ in_window }}), false) as ordered,
    coalesce(bool_or({{ in_window }} and {{ paid_at }} < {{ payment_horizon_end(cohort_date, 2) }}), false)
        as paid_next_day,
    coalesce(bool_or({{ in_window }} and {{ paid_at }} < {{ payment_horizon_end(cohort_date, final_days) }}), false)
        as paid_final
{% endmacro %}

{% macro maturity_flags(cohort_date, inquiry_days=none, final_days=none) %}
    {#- is_mature per measure: the horizon of the measure has fully passed by as_of (a date: data complete before it). -#}
    {%- set inquiry_days = var('inquiry_valid_days') if inquiry_days is none else inquiry_days %}
    {%- set final_days = var('final_pay_days') if final_days is none else final_days %}
    as_of.as_of_date >= {{ dbt.dateadd('day', 1, cohort_date) }} as is_mature_ordered_same_day,
    as_of.as_of_date >= {{ dbt.dateadd('day', inquiry_days, cohort_date) }} as is_mature_ordered,
    as_of.as_of_date >= {{ dbt.dateadd('day', 2, cohort_date) }} as is_mature_paid_next_day,
    as_of.as_of_date >= {{ dbt.dateadd('day', final_days, cohort_date) }} as is_mature_paid_final
{% endmacro %}
