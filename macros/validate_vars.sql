{% macro _var_error(name, expected) %}
    {{ exceptions.raise_compiler_error(
        "Invalid var " ~ name ~ "=" ~ (var(name) | string) ~ ": expected " ~ expected ~ ".") }}
{% endmacro %}

{% macro validate_vars() %}
    {#- Reject a wrong --vars value with a one-line message before any model runs. -#}
    {% if execute %}
        {% if var('attribution_rule') not in ('order', 'payment', 'order_first') %}
            {{ _var_error('attribution_rule', "one of order, payment, order_first") }}
        {% endif %}
        {% for name in ['inquiry_valid_days', 'final_pay_days', 'after_sale_days', 'followup_gap_hours',
                        'response_deadline_seconds', 'slow_reply_seconds', 'recent_contact_hours',
                        'chat_reply_deadline_hours', 'rolling_reply_days', 'staffing_weeks', 'staffing_max_servers',
                        'chase_window_hours'] %}
            {% if var(name) is not number or var(name) is boolean or var(name) < 1 or var(name) != (var(name) | int) %}
                {{ _var_error(name, "a whole number >= 1") }}
            {% endif %}
        {% endfor %}
        {% for name in ['monologue_max_buyer_msgs', 'busy_waiting', 'late_arrival_days'] %}
            {% if var(name) is not number or var(name) is boolean or var(name) < 0 or var(name) != (var(name) | int) %}
                {{ _var_error(name, "a whole number >= 0") }}
            {% endif %}
        {% endfor %}
        {% if var('final_pay_days') < var('inquiry_valid_days') %}
            {{ _var_error('final_pay_days', "a number >= inquiry_valid_days (" ~ var('inquiry_valid_days') ~ ")") }}
        {% endif %}
        {% for name in ['filter_account_enabled', 'filter_ad_enabled', 'filter_single_line_enabled',
                        'filter_monologue_enabled', 'followup_not_lost'] %}
            {% if var(name) is not boolean %}
                {{ _var_error(name, "true or false") }}
            {% endif %}
        {% endfor %}
        {% for name in ['assessment_start', 'assessment_end', 'douyin_assessment_end'] %}
            {% set parts = (var(name) | string).split(':') %}
            {% if parts | length != 2 or not parts[0].isdigit() or not parts[1].isdigit()
                  or (parts[0] | int) > 24 or (parts[1] | int) > 59 %}
                {{ _var_error(name, "a time HH:MM between 00:00 and 24:00") }}
            {% endif %}
        {% endfor %}
        {% if var('as_of') is not none and modules.re.match('^\d{4}-\d{2}-\d{2}$', var('as_of') | string) is none %}
            {{ _var_error('as_of', "a date YYYY-MM-DD or null") }}
        {% endif %}
        {% if modules.re.match('^\d{4}-\d{2}-\d{2}$', var('earliest_plausible_date') | string) is none %}
            {{ _var_error('earliest_plausible_date', "a date YYYY-MM-DD") }}
        {% endif %}
        {% if var('latest_plausible_date') is not none
              and modules.re.match('^\d{4}-\d{2}-\d{2}$', var('latest_plausible_date') | string) is none %}
            {{ _var_error('latest_plausible_date', "a date YYYY-MM-DD or null") }}
        {% endif %}
        {% if var('staffing_service_level') is not number or var('staffing_service_level') is boolean
              or var('staffing_service_level') <= 0 or var('staffing_service_level') >= 1 %}
            {{ _var_error('staffing_service_level', "a share strictly between 0 and 1") }}
        {% endif %}
        {% if var('reject_error_share') is not number or var('reject_error_share') < 0 or var('reject_error_share') > 1 %}
            {{ _var_error('reject_error_share', "a share between 0 and 1") }}
        {% endif %}
    {% endif %}
    select 1
{% endmacro %}

{% macro time_of_day_seconds(name) -%}
    {#- 'HH:MM' var -> seconds since midnight (24:00 -> 86400). -#}
    {%- set parts = (var(name) | string).split(':') -%}
    {{- (parts[0] | int) * 3600 + (parts[1] | int) * 60 -}}
{%- endmacro %}
