{% macro rule_registry() -%}
    {#- The rule registry (var rule_registry in dbt_project.yml): name -> {kind, allowed, per_shop, meaning}. -#}
    {{- return(var('rule_registry')) -}}
{%- endmacro %}

{% macro rule_kind_expected(name) -%}
    {#- What a rule accepts, in words: the one text both checks (vars and seeds/shop_rules.csv) print. -#}
    {%- set spec = rule_registry()[name] -%}
    {{- return({
        'text': 'a text',
        'date': 'a date YYYY-MM-DD',
        'date_or_null': 'a date YYYY-MM-DD or null',
        'share': 'a share between 0 and 1',
        'share_open': 'a share strictly between 0 and 1',
        'whole_1': 'a whole number >= 1',
        'whole_0': 'a whole number >= 0',
        'boolean': 'true or false',
        'time': 'a time HH:MM (00:00 to 24:00)',
        'choice': 'one of ' ~ (spec.get('allowed', []) | join(', ')),
    }[spec.kind]) -}}
{%- endmacro %}

{% macro time_text_pattern() -%}
    {#- HH:MM from 00:00 to 23:59, or 24:00 (end of day): the one definition of a rule time. -#}
    {{- return('^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$') -}}
{%- endmacro %}

{% macro _rule_value_ok(name, value) -%}
    {#- Whether a var value fits its registry kind (Jinja side of the check). -#}
    {%- set spec = rule_registry()[name] -%}
    {%- set kind = spec.kind -%}
    {%- set is_whole = value is number and value is not boolean and value == (value | int) -%}
    {%- set is_date = value is not none and modules.re.match('^\d{4}-\d{2}-\d{2}$', value | string) is not none -%}
    {%- if kind == 'whole_1' -%}{{ return(is_whole and value >= 1) }}
    {%- elif kind == 'whole_0' -%}{{ return(is_whole and value >= 0) }}
    {%- elif kind == 'boolean' -%}{{ return(value is boolean) }}
    {%- elif kind == 'time' -%}{{ return(modules.re.match(time_text_pattern(), value | string) is not none) }}
    {%- elif kind == 'choice' -%}{{ return(value in spec.allowed) }}
    {%- elif kind == 'date' -%}{{ return(is_date) }}
    {%- elif kind == 'date_or_null' -%}{{ return(value is none or is_date) }}
    {%- elif kind == 'share' -%}{{ return(value is number and value is not boolean and 0 <= value <= 1) }}
    {%- elif kind == 'share_open' -%}{{ return(value is number and value is not boolean and 0 < value < 1) }}
    {%- else -%}{{ return(value is string) }}
    {%- endif -%}
{%- endmacro %}

{% macro _var_error(name, expected) %}
    {{ exceptions.raise_compiler_error(
        "Invalid var " ~ name ~ "=" ~ (var(name) | string) ~ ": expected " ~ expected ~ ".") }}
{% endmacro %}

{% macro validate_vars() %}
    {#- Reject a wrong --vars value with a one-line message before any model runs (the rule registry's kinds). -#}
    {% if execute %}
        {% for name in rule_registry() %}
            {% if not _rule_value_ok(name, var(name, none)) %}
                {{ _var_error(name, rule_kind_expected(name)) }}
            {% endif %}
        {% endfor %}
        {% if var('final_pay_days') < var('inquiry_valid_days') %}
            {{ _var_error('final_pay_days', "a number >= inquiry_valid_days (" ~ var('inquiry_valid_days') ~ ")") }}
        {% endif %}
    {% endif %}
    select 1
{% endmacro %}

{% macro time_of_day_seconds(name) -%}
    {#- 'HH:MM' var -> seconds since midnight (24:00 -> 86400). -#}
    {%- set parts = (var(name) | string).split(':') -%}
    {{- (parts[0] | int) * 3600 + (parts[1] | int) * 60 -}}
{%- endmacro %}
