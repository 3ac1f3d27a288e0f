{#-
    Per-shop rules. seeds/shop_rules.csv holds effective-dated overrides of
    the rule vars per (platform, shop_id); int_shop_rules__effective resolves them (empty cell = the global var) into
    [effective_from, effective_to) ranges. A model reading a rule joins that model on (platform, shop_id, date)
    with join_shop_rules() and reads the value with shop_rule(): the rule in force on date D governs the receptions,
    windows, cohorts and rounds dated D. A shop missing from seeds/shops.csv falls back to the global var.
-#}

{% macro shop_rule_specs() -%}
    {#- The rules a shop may set (rule registry entries with per_shop: true), in registry order: name -> kind. -#}
    {%- set specs = {} -%}
    {%- for name, spec in rule_registry().items() if spec.get('per_shop') -%}
        {%- do specs.update({name: spec.kind}) -%}
    {%- endfor -%}
    {{- return(specs) -}}
{%- endmacro %}

{% macro versioned_rule_names() -%}
    {#- The per-shop rules that move the performance marts: rule_version spells them and rules_fingerprint guards
        them. A registry entry with `versioned: false` (the staffing target) moves only marts rebuilt every run, which
        show it as a column: changing it neither rewrites rule_version nor asks for a full refresh. -#}
    {%- set names = [] -%}
    {%- for name, spec in rule_registry().items() if spec.get('per_shop') and spec.get('versioned', true) -%}
        {%- do names.append(name) -%}
    {%- endfor -%}
    {{- return(names) -}}
{%- endmacro %}

{% macro rule_sql_type(kind) -%}
    {{- 'boolean' if kind == 'boolean' else ('integer' if kind in ('whole_0', 'whole_1')
        else ('double' if kind in ('share', 'share_open') else 'string')) -}}
{%- endmacro %}

{% macro rule_default(name) -%}
    {#- The global var of a rule as a SQL literal. -#}
    {%- set kind = shop_rule_specs()[name] -%}
    {%- if kind == 'boolean' -%}
        {{ 'true' if var(name) else 'false' }}
    {%- elif kind in ('whole_0', 'whole_1') -%}
        {{ var(name) | int }}
    {%- elif kind in ('share', 'share_open') -%}
        cast({{ var(name) | float }} as double)
    {%- else -%}
        '{{ var(name) }}'
    {%- endif -%}
{%- endmacro %}

{% macro shop_rule(name, alias='rules') -%}
    {#- The value of one rule in force for the joined (platform, shop_id, date); the global var when no range matches. -#}
    {%- if name in ('assessment_start_seconds', 'assessment_end_seconds') -%}
        coalesce({{ alias }}.{{ name }}, {{ time_of_day_seconds(name[:-8]) }})
    {%- else -%}
        coalesce({{ alias }}.{{ name }}, {{ rule_default(name) }})
    {%- endif -%}
{%- endmacro %}

{% macro join_shop_rules(platform, shop_id, date_expr, alias='rules') -%}
    {#- A left join of int_shop_rules__effective: the range of (platform, shop_id) holding date_expr. -#}
    left join {{ ref('int_shop_rules__effective') }} as {{ alias }}
        on
            {{ platform }} = {{ alias }}.platform
            and {{ shop_id }} = {{ alias }}.shop_id
            and {{ date_expr }} >= {{ alias }}.effective_from
            and {{ date_expr }} < {{ alias }}.effective_to
{%- endmacro %}

{% macro rule_version(alias='rules') -%}
    {#- The rule values in force as one readable text, e.g. 'attribution_rule=order_first, inquiry_valid_days=2, …'. -#}
    concat_ws(', '
    {%- for name in versioned_rule_names() %},
        '{{ name }}=' || cast({{ shop_rule(name, alias) }} as string)
    {%- endfor %})
{%- endmacro %}

{% macro time_text_seconds(text) -%}
    {#- 'HH:MM' text -> seconds since midnight (24:00 -> 86400). -#}
    (cast(substring({{ text }}, 1, 2) as integer) * 3600 + cast(substring({{ text }}, 4, 2) as integer) * 60)
{%- endmacro %}

{% macro rules_fingerprint(seed_relation) -%}
    {#- md5 of the shop_rules rows and the global rule vars: an incremental run refuses to continue when it moved. -#}
    {%- set names = ['platform', 'shop_id', 'effective_from'] + versioned_rule_names() -%}
    {%- set global_values = [] -%}
    {%- for name in versioned_rule_names() + ['douyin_assessment_end'] -%}
        {%- do global_values.append(name ~ '=' ~ (var(name) | string)) -%}
    {%- endfor -%}
    {%- set parts = [] -%}
    {%- for name in names -%}{%- do parts.append("coalesce(cast(" ~ name ~ " as string), '')") -%}{%- endfor -%}
    (select md5('{{ global_values | join(";") }}|' || coalesce({{ dbt.listagg(
        "concat_ws('|', " ~ (parts | join(', ')) ~ ")", "';'", "order by platform, shop_id, effective_from") }}, ''))
    from {{ seed_relation }})
{%- endmacro %}

{% macro assert_valid_shop_rules(seed_relation, shops_relation) %}
    {#- Fail the run with one message naming the first bad shop_rules lines (the seed's contract). -#}
    {#- Skipped while the seed is not loaded yet (e.g. sqlfluff compiling against an empty database). -#}
    {%- if execute and load_relation(seed_relation) is not none and load_relation(shops_relation) is not none -%}
        {%- set specs = shop_rule_specs() -%}
        {%- set check -%}
            with rows as (
                select
                    *,
                    {{ row_in_file_order() }} + 1 as line_number
                from {{ seed_relation }}
            ),

            problems as (
                select
                    line_number,
                    concat_ws(', ', platform, shop_id, effective_from) as row_values,
                    case
                        when nullif(trim(platform), '') is null or nullif(trim(shop_id), '') is null
                            or nullif(trim(effective_from), '') is null
                            then 'platform, shop_id and effective_from must be set'
                        when try_cast(trim(effective_from) as date) is null
                            or not {{ regex_matches('trim(effective_from)', "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'") }}
                            then 'effective_from must be a date YYYY-MM-DD'
                        when not exists (
                            select 1 from {{ shops_relation }} as shops
                            where lower(trim(shops.platform)) = lower(trim(rows.platform))
                                and trim(shops.shop_id) = trim(rows.shop_id)
                        )
                            then 'unknown shop ' || platform || '/' || shop_id || ' (not in {{ config_file("shops") }})'
                        {%- for name, kind in specs.items() %}
                        {%- set v = "nullif(trim(" ~ name ~ "), '')" %}
                        {%- if kind == 'choice' %}
                        when {{ v }} is not null and {{ v }} not in ('{{ rule_registry()[name].allowed | join("', '") }}')
                            then 'unknown {{ name }} ' || {{ v }} || ' (expected {{ rule_kind_expected(name) }})'
                        {%- elif kind in ('whole_1', 'whole_0') %}
                        when {{ v }} is not null and (not {{ regex_matches(v, "'^[0-9]{1,6}$'") }}
                            or cast({{ v }} as integer) < {{ 1 if kind == 'whole_1' else 0 }})
                            then '{{ name }} must be {{ rule_kind_expected(name) }}, not ' || {{ v }}
                        {%- elif kind in ('share', 'share_open') %}
                        when {{ v }} is not null and (try_cast({{ v }} as double) is null
                            or try_cast({{ v }} as double) {{ '<=' if kind == 'share_open' else '<' }} 0
                            or try_cast({{ v }} as double) {{ '>=' if kind == 'share_open' else '>' }} 1)
                            then '{{ name }} must be {{ rule_kind_expected(name) }}, not ' || {{ v }}
                        {%- elif kind == 'boolean' %}
                        when {{ v }} is not null and lower({{ v }}) not in ('true', 'false')
                            then '{{ name }} must be {{ rule_kind_expected(name) }}, not ' || {{ v }}
                        {%- else %}
                        when {{ v }} is not null
                            and not {{ regex_matches(v, "'" ~ time_text_pattern() ~ "'") }}
                            then '{{ name }} must be {{ rule_kind_expected(name) }}, not ' || {{ v }}
                        {%- endif %}
                        {%- endfor %}
                        when coalesce(cast(nullif(trim(final_pay_days), '') as integer), {{ var('final_pay_days') | int }})
                            < coalesce(cast(nullif(trim(inquiry_valid_days), '') as integer),
                                       {{ var('inquiry_valid_days') | int }})
                            then 'final_pay_days must be >= inquiry_valid_days'
                        when count(*) over (
                            partition by lower(trim(platform)), trim(shop_id), try_cast(trim(effective_from) as date)
                        ) > 1
                            then 'duplicate effective_from for shop ' || platform || '/' || shop_id
                    end as problem
                from rows
            )

            select line_number, row_values, problem from problems where problem is not null order by line_number limit 5
        {%- endset -%}
        {{ raise_seed_problems(check, config_file('shop_rules')) }}
    {%- endif -%}
{% endmacro %}

{% macro shop_rule_columns(names=none, alias='rules', prefix='', mode='resolved') -%}
    {#- A comma-separated column list over the rules (default: all of shop_rule_specs()), one macro call so the
        models stay lintable. mode: resolved = shop_rule() values; plain = the alias's columns as they are;
        null = typed nulls; typed = the seed's text cells cast to their type (empty = null). -#}
    {%- set specs = shop_rule_specs() -%}
    {%- set columns = [] -%}
    {%- for name in (specs.keys() | list if names is none else names) -%}
        {%- set kind = specs[name] -%}
        {%- if mode == 'resolved' -%}
            {%- set expression = shop_rule(name, alias) -%}
        {%- elif mode == 'plain' -%}
            {%- set expression = alias ~ '.' ~ name -%}
        {%- elif mode == 'null' -%}
            {%- set expression = 'cast(null as ' ~ rule_sql_type(kind) ~ ')' -%}
        {%- else -%}
            {%- set cell = "nullif(trim(cast(" ~ alias ~ "." ~ name ~ " as string)), '')" -%}
            {%- set expression = ("lower(" ~ cell ~ ") = 'true'") if kind == 'boolean'
                else (("cast(" ~ cell ~ " as integer)") if kind in ('whole_0', 'whole_1')
                else (("cast(" ~ cell ~ " as double)") if kind in ('share', 'share_open') else cell)) -%}
        {%- endif -%}
        {%- do columns.append(expression ~ ' as ' ~ prefix ~ name) -%}
    {%- endfor -%}
    {{ columns | join(',\n        ') }}
{%- endmacro %}

{% macro select_with_shop_rules(relation, date_expr, flag_shop_rule=false) -%}
    {#- Final select of a rollup: every column of `relation`, then (optionally) is_shop_rule and rule_version, from the
        shop's rules in force on the row's date (seeds/shop_rules.csv, else the global vars). -#}
select
    {{ relation }}.*,
    {%- if flag_shop_rule %}
    {{ relation }}.attribution_rule = {{ shop_rule('attribution_rule') }} as is_shop_rule,
    {%- endif %}
    {{ rule_version() }} as rule_version
from {{ relation }}
{{ join_shop_rules(relation ~ '.platform', relation ~ '.shop_id', date_expr) }}
{%- endmacro %}
