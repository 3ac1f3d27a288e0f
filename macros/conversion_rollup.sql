{% macro conversion_rollup(flags_relation, group_columns, cohort_date) %}
    {#- Cohort counts, rates and maturity from a relation with one row per inquiring buyer and the four flags;
        maturity and rule_version from the shop's rules in force on the cohort date. The rules join comes after the
        counting: the group columns hold platform, shop and cohort date, so one group has one rules row, and the
        rule text is built once per group instead of once per buyer. -#}
    select
        {%- for c in group_columns %}
        cohorts.{{ c }},
        {%- endfor %}
        cohorts.inquiry_buyers,
        cohorts.ordered_same_day_buyers,
        cohorts.ordered_buyers,
        cohorts.paid_next_day_buyers,
        cohorts.paid_final_buyers,
        cohorts.lost_buyers,
        {{ metric_ratio('ordered_same_day_rate', 'cohorts') }} as ordered_same_day_rate,
        {{ metric_ratio('inquiry_to_order_rate', 'cohorts') }} as ordered_rate,
        {{ metric_ratio('inquiry_to_paid_next_day_rate', 'cohorts') }} as paid_next_day_rate,
        {{ metric_ratio('inquiry_to_paid_final_rate', 'cohorts') }} as paid_final_rate,
        {{ maturity_flags('cohorts.' ~ cohort_date, shop_rule('inquiry_valid_days'), shop_rule('final_pay_days')) }},
        as_of.as_of_date,
        {{ rule_version() }} as rule_version
    from (
        select
            {%- for c in group_columns %}
            flags.{{ c }},
            {%- endfor %}
            count(*) as inquiry_buyers,
            count(*) filter (where flags.ordered_same_day) as ordered_same_day_buyers,
            count(*) filter (where flags.ordered) as ordered_buyers,
            count(*) filter (where flags.paid_next_day) as paid_next_day_buyers,
            count(*) filter (where flags.paid_final) as paid_final_buyers,
            count(*) filter (where not flags.ordered) as lost_buyers
        from {{ flags_relation }} as flags
        group by
            {%- for c in group_columns %}
            flags.{{ c }}{{ "," if not loop.last }}
            {%- endfor %}
    ) as cohorts
    cross join {{ ref('int_as_of') }} as as_of
    {{ join_shop_rules('cohorts.platform', 'cohorts.shop_id', 'cohorts.' ~ cohort_date) }}
{% endmacro %}
