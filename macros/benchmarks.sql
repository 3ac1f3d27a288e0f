{% macro benchmark_metrics() -%}
    {#- The metrics a peer_benchmarks row may name (metric_registry.yml entries with benchmark, by the name the seed
        uses): metric -> (higher_is_better, is_rate). Each is computed per shop and month in agg_shop_benchmark_gap
        from the marts that own it. -#}
    {%- set found = {} -%}
    {%- for name, spec in metric_registry().items() if spec.benchmark_name -%}
        {%- do found.update({spec.benchmark_name: (spec.higher_is_better, spec.unit == 'share')}) -%}
    {%- endfor -%}
    {{- return(found) -}}
{%- endmacro %}

{% macro assert_valid_peer_benchmarks(seed_relation) %}
    {#- Fail the run with one message naming the first bad peer_benchmarks rows (the seed's contract). -#}
    {#- Skipped while the seed is not loaded yet (e.g. sqlfluff compiling against an empty database). -#}
    {%- if execute and load_relation(seed_relation) is not none -%}
        {%- set metrics = benchmark_metrics() -%}
        {%- set rate_metrics = [] -%}
        {%- for name, flags in metrics.items() if flags[1] -%}{%- do rate_metrics.append(name) -%}{%- endfor -%}
        {%- set check -%}
            with rows as (
                select
                    *,
                    {{ row_in_file_order() }} + 1 as line_number,
                    try_cast(excellent_value as double) as excellent,
                    try_cast(median_value as double) as median
                from {{ seed_relation }}
            ),

            problems as (
                select
                    line_number,
                    concat_ws(', ', platform, category, tier, metric, period) as row_values,
                    case
                        when platform is null or category is null or tier is null or metric is null or period is null
                            then 'a key column is empty'
                        when metric not in ('{{ metrics.keys() | join("', '") }}')
                            then 'unknown metric ' || metric
                        when not {{ regex_matches('period', "'^[0-9]{4}-(0[1-9]|1[0-2])$'") }}
                            then 'period must be YYYY-MM'
                        when excellent is null or median is null then 'excellent_value / median_value must be numbers'
                        when excellent < 0 or median < 0 then 'values must be >= 0'
                        when metric in ('{{ rate_metrics | join("', '") }}') and (excellent > 1 or median > 1)
                            then 'a rate must lie in [0, 1]'
                        when count(*) over (partition by platform, category, tier, metric, period) > 1
                            then 'duplicate (platform, category, tier, metric, period)'
                    end as problem
                from rows
            )

            select line_number, row_values, problem from problems where problem is not null order by line_number limit 5
        {%- endset -%}
        {{ raise_seed_problems(check, config_file('peer_benchmarks'),
                                'Accepted metrics: ' ~ (metrics.keys() | join(', ')) ~ '.') }}
    {%- endif -%}
{% endmacro %}

{% macro month_label(date_expression) -%}
    {#- 'YYYY-MM' of a date: the period key of peer_benchmarks. -#}
    (cast(extract(year from {{ date_expression }}) as string) || '-'
        || lpad(cast(extract(month from {{ date_expression }}) as string), 2, '0'))
{%- endmacro %}

{% macro config_file(seed_name) -%}
    {#- The file a configuration seed was loaded from, as the user knows it: their configuration folder (env
        KEFU_CONFIG_LABEL, set by kefu) or seeds/ when dbt runs alone on the sample's configuration. -#}
    {{- return(env_var('KEFU_CONFIG_LABEL', 'seeds') ~ '/' ~ seed_name ~ '.csv') -}}
{%- endmacro %}

{% macro raise_seed_problems(check_sql, seed_file, hint='') %}
    {#- Runs a seed-contract query returning (line_number, row_values, problem) and stops the build naming each line. -#}
    {%- set bad = run_query(check_sql) -%}
    {%- if bad.rows | length > 0 -%}
        {%- set lines = [] -%}
        {%- for row in bad.rows -%}
            {%- do lines.append('line ' ~ row[0] ~ ' (' ~ row[1] ~ '): ' ~ row[2]) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(seed_file ~ ': ' ~ (lines | join('; ')) ~ '.' ~ (' ' ~ hint if hint else '')) }}
    {%- endif -%}
{% endmacro %}
