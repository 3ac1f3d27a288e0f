{#-
    预警 alerts (alert_rules.csv of the configuration → stg_config__alert_rules → int_alerts__conditions). The open / close state and
    the webhook push are kept in Python beside the published file (kefu/alerts.py; DECISIONLOG "Alerts").
-#}

{% macro alert_rule_specs() -%}
    {#- The rules an alert_rules row may name: rule -> (kind of threshold, comparison that breaches it, scope).
        kind whole_0 / whole_1 = a whole number >= 0 / >= 1; share = a number in (0, 1]. -#}
    {{- return({
        'waiting_buyers_above': {'kind': 'whole_0', 'breach': '>', 'scope': 'shop'},
        'longest_wait_above_seconds': {'kind': 'whole_1', 'breach': '>', 'scope': 'shop'},
        'three_minute_rate_below': {'kind': 'share', 'breach': '<', 'scope': 'shop'},
        'shopee_reply_rate_below': {'kind': 'share', 'breach': '<', 'scope': 'shop'},
        'agent_silent_minutes': {'kind': 'whole_1', 'breach': '>=', 'scope': 'agent'},
    }) -}}
{%- endmacro %}

{% macro alert_breached(rule_column, value_column, threshold_column) -%}
    {#- True when the value breaches the threshold of its rule (false when the value is null). -#}
    coalesce(
        case {{ rule_column }}
            {%- for rule, spec in alert_rule_specs().items() %}
            when '{{ rule }}' then {{ value_column }} {{ spec.breach }} {{ threshold_column }}
            {%- endfor %}
        end,
        false
    )
{%- endmacro %}

{% macro assert_valid_alert_rules(seed_relation, shops_relation) %}
    {#- Fail the run with one message naming the first bad alert_rules lines (the seed's contract). -#}
    {#- Skipped while the seed is not loaded yet (e.g. sqlfluff compiling against an empty database). -#}
    {%- if execute and load_relation(seed_relation) is not none and load_relation(shops_relation) is not none -%}
        {%- set specs = alert_rule_specs() -%}
        {%- set check -%}
            with rows as (
                select
                    *,
                    {{ row_in_file_order() }} + 1 as line_number,
                    nullif(lower(trim(platform)), '') as platform_value,
                    nullif(trim(shop_id), '') as shop_value,
                    nullif(trim(rule), '') as rule_value,
                    nullif(trim(threshold), '') as threshold_value
                from {{ seed_relation }}
            ),

            problems as (
                select
                    line_number,
                    concat_ws(', ', coalesce(platform, ''), coalesce(shop_id, ''), coalesce(rule, ''),
                              coalesce(threshold, '')) as row_values,
                    case
                        when rule_value is null
                            then 'rule must be set'
                        when rule_value not in ('{{ specs.keys() | join("', '") }}')
                            then 'unknown rule ' || rule_value
                        when platform_value is not null and platform_value not in ('taobao', 'tmall', 'douyin', 'shopee')
                            then 'unknown platform ' || platform_value || ' (expected taobao, tmall, douyin or shopee)'
                        when shop_value is not null and platform_value is null
                            then 'a row naming a shop_id must name its platform'
                        when shop_value is not null and not exists (
                            select 1 from {{ shops_relation }} as shops
                            where lower(trim(shops.platform)) = rows.platform_value
                                and trim(shops.shop_id) = rows.shop_value
                        )
                            then 'unknown shop ' || platform_value || '/' || shop_value || ' (not in {{ config_file("shops") }})'
                        when rule_value = 'shopee_reply_rate_below' and platform_value <> 'shopee'
                            then 'shopee_reply_rate_below applies to platform shopee only'
                        {%- for rule, spec in specs.items() %}
                        {%- if spec.kind in ('whole_0', 'whole_1') %}
                        when rule_value = '{{ rule }}' and threshold_value is not null
                            and (not {{ regex_matches('threshold_value', "'^[0-9]{1,9}$'") }}
                                 or cast(threshold_value as integer) < {{ 1 if spec.kind == 'whole_1' else 0 }})
                            then '{{ rule }} threshold must be a whole number >= {{ 1 if spec.kind == 'whole_1' else 0 }}, not '
                                || threshold_value
                        {%- else %}
                        when rule_value = '{{ rule }}' and threshold_value is not null
                            and (not {{ is_number_text('threshold_value') }}
                                 or cast(threshold_value as double) <= 0 or cast(threshold_value as double) > 1)
                            then '{{ rule }} threshold must be a share in (0, 1], not ' || threshold_value
                        {%- endif %}
                        {%- endfor %}
                        when count(*) over (
                            partition by coalesce(platform_value, ''), coalesce(shop_value, ''), rule_value
                        ) > 1
                            then 'duplicate row for rule ' || rule_value || ' at this scope'
                    end as problem
                from rows
            )

            select line_number, row_values, problem from problems where problem is not null order by line_number limit 5
        {%- endset -%}
        {{ raise_seed_problems(check, config_file('alert_rules'), 'Accepted rules: ' ~ (specs.keys() | join(', ')) ~ '.') }}
    {%- endif -%}
{% endmacro %}
