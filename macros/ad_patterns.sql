{% macro ad_pattern_match(text, patterns) -%}
    {#-
        True when `text` matches any ad pattern (广告过滤) of the `patterns` relation (stg_config__ad_patterns):
        match_type contains = the pattern occurs in the text, regex = the regular expression matches; null text = false.
        In a build, the patterns are read once and written into the SQL as constants, so each regular expression is
        compiled once, not once per message (a table-driven regex is recompiled for every row it meets).
        Where the relation cannot be read while compiling (a unit test's fixture, a lint run on an empty database),
        the same rule is a correlated lookup of the pattern rows.
    -#}
    {%- set readable = execute and '__dbt__cte__' not in (patterns | string) and patterns.identifier is defined
        and adapter.get_relation(database=patterns.database, schema=patterns.schema,
                                 identifier=patterns.identifier) is not none -%}
    {%- if readable -%}
        {%- set rows = run_query('select pattern, match_type from ' ~ patterns ~ ' order by match_type, pattern').rows -%}
        coalesce(false
        {%- for row in rows %}
            or {% if row[1] == 'regex' -%}
                {{ regex_matches(text, string_literal(row[0])) }}
            {%- else -%}
                {{ text_position(text, string_literal(row[0])) }} > 0
            {%- endif %}
        {%- endfor %}, false)
    {%- else -%}
        coalesce(exists (
            select 1 from {{ patterns }} as ad_patterns
            where
                (ad_patterns.match_type = 'contains' and {{ text_position(text, 'ad_patterns.pattern') }} > 0)
                or (ad_patterns.match_type = 'regex' and {{ regex_matches(text, 'ad_patterns.pattern') }})
        ), false)
    {%- endif -%}
{%- endmacro %}
