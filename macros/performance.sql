{#-
    绩效考核 / 提成 (KPI scorecard and commission, DECISIONLOG "KPI scorecard and commission"). Two shop-maintained
    seeds, validated like shop_rules.csv (a bad row stops the build naming its line):
      seeds/kpi_plan.csv         one row per (plan, metric, band): platform, shop_id, group_name (empty = every
                                 group), effective_from (a month start), metric, weight, band_from, band_to, score;
      seeds/commission_plan.csv  one row per (plan, tier): platform, shop_id, group_name, effective_from, tier_from,
                                 tier_to, rate, mode (progressive | flat).
    The plan in force for a month is the one with the latest effective_from <= the month's first day (a group's own
    plan before the shop-wide one).
-#}

{% macro kpi_metrics() -%}
    {#- The metrics a kpi_plan row may name (metric_registry.yml entries with kpi: true): metric -> Chinese label.
        Each is recomputed per agent and month in int_performance__agent_monthly_measures (Σ numerator ÷ Σ
        denominator over the month). -#}
    {%- set found = {} -%}
    {%- for name, spec in metric_registry().items() if spec.kpi -%}
        {%- do found.update({name: spec.label}) -%}
    {%- endfor -%}
    {{- return(found) -}}
{%- endmacro %}

{% macro commission_modes() -%}
    {{- return(['progressive', 'flat']) -}}
{%- endmacro %}

{% macro is_number_text(text) -%}
    {#- True when the (trimmed) text is a plain decimal number, e.g. 0.35, 10000, -1.5. -#}
    {{ regex_matches(text, "'^-?[0-9]+([.][0-9]+)?$'") }}
{%- endmacro %}

{% macro plan_key(alias) -%}
    {#- One text key per plan of a plan seed: platform|shop_id|group_name|effective_from. -#}
    concat_ws('|', lower(trim({{ alias }}.platform)), trim({{ alias }}.shop_id),
              coalesce(trim({{ alias }}.group_name), ''), trim({{ alias }}.effective_from))
{%- endmacro %}

{% macro plan_key_columns() -%}
    {#- The typed plan key of a plan seed row, shared by stg_config__kpi_plan and stg_config__commission_plan
        (group_name empty = every group of the shop). -#}
    {{ normalise_enum('platform') }} as platform,
    trim(cast(shop_id as string)) as shop_id,
    nullif(trim(cast(group_name as string)), '') as group_name,
    cast(trim(effective_from) as date) as effective_from
{%- endmacro %}

{% macro plan_common_checks(shops_relation, alias) -%}
    {#- The checks shared by both plan seeds, as CASE branches over the seed's rows (alias `alias`). -#}
    when nullif(trim({{ alias }}.platform), '') is null or nullif(trim({{ alias }}.shop_id), '') is null
        or nullif(trim({{ alias }}.effective_from), '') is null
        then 'platform, shop_id and effective_from must be set'
    when try_cast(trim({{ alias }}.effective_from) as date) is null
        or not {{ regex_matches('trim(' ~ alias ~ '.effective_from)', "'^[0-9]{4}-[0-9]{2}-01$'") }}
        then 'effective_from must be a month start YYYY-MM-01, not ' || {{ alias }}.effective_from
    when not exists (
        select 1 from {{ shops_relation }} as shops
        where lower(trim(shops.platform)) = lower(trim({{ alias }}.platform))
            and trim(shops.shop_id) = trim({{ alias }}.shop_id)
    )
        then 'unknown shop ' || {{ alias }}.platform || '/' || {{ alias }}.shop_id || ' (not in {{ config_file("shops") }})'
{%- endmacro %}

{% macro assert_valid_kpi_plan(seed_relation, shops_relation) %}
    {#- Fail the run with one message naming the first bad kpi_plan lines (the seed's contract). -#}
    {#- Skipped while the seed is not loaded yet (e.g. sqlfluff compiling against an empty database). -#}
    {%- if execute and load_relation(seed_relation) is not none and load_relation(shops_relation) is not none -%}
        {%- set metrics = kpi_metrics() -%}
        {%- set check -%}
            with rows as (
                select
                    *,
                    {{ row_in_file_order() }} + 1 as line_number
                from {{ seed_relation }}
            ),

            typed as (
                select
                    *,
                    case when {{ is_number_text('trim(weight)') }} then cast(trim(weight) as double) end as weight_value,
                    case when {{ is_number_text('trim(band_from)') }} then cast(trim(band_from) as double) end
                        as from_value,
                    case when {{ is_number_text('trim(band_to)') }} then cast(trim(band_to) as double) end as to_value,
                    {{ plan_key('rows') }} as plan_key
                from rows
            ),

            numbered as (
                select
                    *,
                    row_number() over (partition by plan_key order by line_number) as plan_row_number
                from typed
            ),

            metric_weights as (
                select
                    plan_key,
                    trim(metric) as metric_name,
                    min(weight_value) as min_weight,
                    max(weight_value) as max_weight
                from typed
                group by plan_key, trim(metric)
            ),

            plan_weights as (
                select plan_key, sum(max_weight) as weight_sum
                from metric_weights
                group by plan_key
            ),

            overlapping_bands as (
                select distinct later.line_number
                from typed as later
                inner join typed as earlier
                    on
                        later.plan_key = earlier.plan_key
                        and trim(later.metric) = trim(earlier.metric)
                        and earlier.line_number < later.line_number
                where
                    coalesce(later.from_value < earlier.to_value, true)
                    and coalesce(earlier.from_value < later.to_value, true)
            ),

            problems as (
                select
                    typed.line_number,
                    concat_ws(', ', typed.platform, typed.shop_id, coalesce(typed.group_name, ''), typed.effective_from,
                              typed.metric) as row_values,
                    case
                        {{ plan_common_checks(shops_relation, 'typed') }}
                        when typed.metric is null or trim(typed.metric) not in ('{{ metrics.keys() | join("', '") }}')
                            then 'unknown metric ' || coalesce(typed.metric, '(empty)')
                        when typed.weight_value is null or typed.weight_value <= 0 or typed.weight_value > 1
                            then 'weight must be a number in (0, 1], not ' || coalesce(typed.weight, '(empty)')
                        when nullif(trim(typed.band_from), '') is not null and typed.from_value is null
                            then 'band_from must be a number or empty, not ' || typed.band_from
                        when nullif(trim(typed.band_to), '') is not null and typed.to_value is null
                            then 'band_to must be a number or empty, not ' || typed.band_to
                        when typed.from_value >= typed.to_value
                            then 'band_from must be < band_to'
                        when not coalesce({{ is_number_text('trim(typed.score)') }}, false)
                            then 'score must be a number, not ' || coalesce(typed.score, '(empty)')
                        when metric_weights.min_weight <> metric_weights.max_weight
                            then 'the band rows of metric ' || trim(typed.metric) || ' carry different weights'
                        when typed.line_number in (select overlapping_bands.line_number from overlapping_bands)
                            then 'band overlaps an earlier band of metric ' || trim(typed.metric)
                        when typed.plan_row_number = 1 and abs(plan_weights.weight_sum - 1) > 0.000001
                            then 'the weights of this plan sum to ' || cast(round(plan_weights.weight_sum, 6) as string)
                                || ', not 1'
                    end as problem
                from numbered as typed
                left join metric_weights
                    on
                        typed.plan_key = metric_weights.plan_key
                        and trim(typed.metric) = metric_weights.metric_name
                left join plan_weights
                    on metric_weights.plan_key = plan_weights.plan_key
            )

            select line_number, row_values, problem from problems where problem is not null order by line_number limit 5
        {%- endset -%}
        {{ raise_seed_problems(check, config_file('kpi_plan'), 'Accepted metrics: ' ~ (metrics.keys() | join(', ')) ~ '.') }}
    {%- endif -%}
{% endmacro %}

{% macro assert_valid_commission_plan(seed_relation, shops_relation) %}
    {#- Fail the run with one message naming the first bad commission_plan lines (the seed's contract). -#}
    {%- if execute and load_relation(seed_relation) is not none and load_relation(shops_relation) is not none -%}
        {%- set check -%}
            with rows as (
                select
                    *,
                    {{ row_in_file_order() }} + 1 as line_number
                from {{ seed_relation }}
            ),

            typed as (
                select
                    *,
                    case
                        when nullif(trim(tier_from), '') is null then 0.0
                        when {{ is_number_text('trim(tier_from)') }} then cast(trim(tier_from) as double)
                    end as from_value,
                    case when {{ is_number_text('trim(tier_to)') }} then cast(trim(tier_to) as double) end as to_value,
                    case when {{ is_number_text('trim(rate)') }} then cast(trim(rate) as double) end as rate_value,
                    lower(trim(mode)) as mode_value,
                    {{ plan_key('rows') }} as plan_key
                from rows
            ),

            ordered as (
                select
                    *,
                    lag(to_value) over (partition by plan_key order by from_value, line_number) as previous_to,
                    row_number() over (partition by plan_key order by from_value, line_number) as tier_number,
                    min(mode_value) over (partition by plan_key) as first_mode,
                    max(mode_value) over (partition by plan_key) as last_mode
                from typed
            ),

            problems as (
                select
                    line_number,
                    concat_ws(', ', platform, shop_id, coalesce(group_name, ''), effective_from, tier_from) as row_values,
                    case
                        {{ plan_common_checks(shops_relation, 'ordered') }}
                        when from_value is null or from_value < 0
                            then 'tier_from must be a number >= 0 or empty (0), not ' || tier_from
                        when nullif(trim(tier_to), '') is not null and to_value is null
                            then 'tier_to must be a number or empty, not ' || tier_to
                        when to_value <= from_value
                            then 'tier_from must be < tier_to'
                        when rate_value is null or rate_value < 0 or rate_value > 1
                            then 'rate must be a number in [0, 1], not ' || coalesce(rate, '(empty)')
                        when mode_value is null or mode_value not in ('{{ commission_modes() | join("', '") }}')
                            then 'mode must be progressive or flat, not ' || coalesce(mode, '(empty)')
                        when first_mode <> last_mode
                            then 'the tiers of one plan must share one mode'
                        when tier_number = 1 and from_value <> 0
                            then 'the first tier must start at 0'
                        when tier_number > 1 and (previous_to is null or previous_to <> from_value)
                            then 'tiers must be contiguous (tier_from = the previous tier_to; only the last is open)'
                    end as problem
                from ordered
            )

            select line_number, row_values, problem from problems where problem is not null order by line_number limit 5
        {%- endset -%}
        {{ raise_seed_problems(check, config_file('commission_plan')) }}
    {%- endif -%}
{% endmacro %}

{% macro month_start(date_expression) -%}
    {#- First day of the calendar month of a date (portable: dbt.date_trunc dispatches per adapter). -#}
    cast({{ dbt.date_trunc('month', date_expression) }} as date)
{%- endmacro %}

{% macro month_end(month_start_expression) -%}
    {#- Last day of the month that starts on month_start_expression. -#}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, month_start_expression)) }} as date)
{%- endmacro %}

{% macro band_contains(value, band_from, band_to) -%}
    {#- band_from <= value < band_to; a null bound is unbounded. A null value is in no band. -#}
    ({{ value }} is not null
        and ({{ band_from }} is null or {{ value }} >= {{ band_from }})
        and ({{ band_to }} is null or {{ value }} < {{ band_to }}))
{%- endmacro %}

{% macro tier_commission(base, tier_from, tier_to, rate, mode) -%}
    {#- The commission one tier contributes on an amount `base`: progressive (超额累进) = the rate on the part of the
        amount inside [tier_from, tier_to); flat (全额) = the rate on the whole amount when it falls in the tier.
        Summed over a plan's tiers this is the commission. A base <= 0 earns nothing. -#}
    case
        when {{ base }} <= 0 then 0
        when {{ mode }} = 'progressive'
            then {{ rate }} * greatest(
                0, least({{ base }}, coalesce({{ tier_to }}, {{ base }})) - {{ tier_from }}
            )
        when {{ band_contains(base, tier_from, tier_to) }} then {{ rate }} * {{ base }}
        else 0
    end
{%- endmacro %}

{% macro plan_in_force(agent_months, plans) -%}
    {#- A select: per agent-month of `agent_months` (platform, shop_id, agent_id, month_start, group_name) the plan of
        `plans` (a typed plan model: platform, shop_id, group_name null = every group, effective_from) in force — the
        agent's group's own plan when one has started by the month's first day, else the shop-wide plan; within
        either, the latest effective_from <= month_start. Agent-months without a plan get no row. -#}
    with plan_versions as (
        select distinct platform, shop_id, group_name, effective_from from {{ plans }}
    ),

    candidates as (
        select
            agent_months.platform,
            agent_months.shop_id,
            agent_months.agent_id,
            agent_months.month_start,
            plan_versions.group_name as plan_group_name,
            plan_versions.effective_from as plan_effective_from,
            row_number() over (
                partition by agent_months.platform, agent_months.shop_id, agent_months.agent_id, agent_months.month_start
                order by case when plan_versions.group_name is null then 1 else 0 end, plan_versions.effective_from desc
            ) as plan_rank
        from {{ agent_months }} as agent_months
        inner join plan_versions
            on
                agent_months.platform = plan_versions.platform
                and agent_months.shop_id = plan_versions.shop_id
                and plan_versions.effective_from <= agent_months.month_start
                and (plan_versions.group_name is null or plan_versions.group_name = agent_months.group_name)
    )

    select
        platform,
        shop_id,
        agent_id,
        month_start,
        plan_group_name,
        plan_effective_from,
        cast(plan_effective_from as string) || '/' || coalesce(plan_group_name, '*') as plan_version
    from candidates
    where plan_rank = 1
{%- endmacro %}
