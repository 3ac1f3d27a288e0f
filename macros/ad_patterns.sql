{% macro ad_pattern_literals(text, patterns) -%}
    {#-
        The ad-pattern rule (广告过滤) for `text` as one boolean expression with every pattern of the `patterns` relation
        (stg_config__ad_patterns) written in as a constant: match_type contains = the pattern occurs in the text,
        regex = the regular expression matches; null text = false. A table-driven `regexp_matches(text, pattern)`
        recompiles the expression for every row it meets; as a literal it is compiled once.
        Returns none where the relation cannot be read while compiling (a unit test's fixture, a lint run on an empty
        database): the caller then joins the pattern rows instead (the same rule).
    -#}
    {%- set readable = execute and '__dbt__cte__' not in (patterns | string) and patterns.identifier is defined
        and adapter.get_relation(database=patterns.database, schema=patterns.schema,
                                 identifier=patterns.identifier) is not none -%}
    {%- if not readable -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query('select pattern, match_type from ' ~ patterns ~ ' order by match_type, pattern').rows -%}
    {%- set tests = [] -%}
    {%- for row in rows -%}
        {%- if row[1] == 'regex' -%}
            {%- do tests.append(regex_matches(text, string_literal(row[0]))) -%}
        {%- else -%}
            {%- do tests.append(text_position(text, string_literal(row[0])) ~ ' > 0') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('coalesce(' ~ (tests | join(' or ') if tests else 'false') ~ ', false)') }}
{%- endmacro %}
