{% macro metric_ratio(metric, source=none, agg=none, grain=none, columns={}) -%}
    {#-
        The figure `metric` of metric_registry.yml as SQL: its numerator columns ÷ its denominator columns (the
        registry's `sql`, a list of columns is summed), each column read from `source` (a relation alias, or none
        for the columns in scope) and the whole of each side wrapped in `agg` (e.g. 'sum' to divide the sums of a
        group, never average the rows' rates); null when the denominator is 0 (safe_ratio). The one place a mart
        divides a registry metric. grain='period' takes the registry's `sql_period` (the period marts' buyer-day
        counts); the registry's `cap` bounds the ratio. columns: {registry column: SQL expression} for a column not
        read as `source`.column (e.g. from another relation of the join, or with a default).
        Example: metric_ratio('three_minute_response_rate', 'stats') →
            cast(stats.assessment_rounds_within_deadline_count as double) / nullif(stats.assessment_round_count, 0)
    -#}
    {%- set spec = metric_registry()[metric] -%}
    {%- set columns_in = columns -%}
    {%- set sql = spec['sql_' ~ grain] if grain else spec.sql -%}
    {%- if sql is none -%}
        {{ exceptions.raise_compiler_error("metric_ratio: metric " ~ metric ~ " has no " ~ ('sql_' ~ grain if grain
                                           else 'sql') ~ " in metric_registry.yml") }}
    {%- endif -%}
    {%- set sides = [] -%}
    {%- for side in ('numerator', 'denominator') -%}
        {%- set columns = [] -%}
        {%- for column in sql[side] -%}
            {%- do columns.append(columns_in[column] if column in columns_in
                                  else (source ~ '.' if source else '') ~ column) -%}
        {%- endfor -%}
        {%- set text = columns | join(' + ') -%}
        {%- do sides.append(agg ~ '(' ~ text ~ ')' if agg else text) -%}
    {%- endfor -%}
    {{ safe_ratio(sides[0], sides[1], cap=spec.cap) }}
{%- endmacro %}
