{% macro ad_pattern_rows(patterns) -%}
    {#-
        The ad patterns (广告过滤) as [[pattern, match_type], …], read from the `patterns` relation
        (stg_config__ad_patterns) while compiling. Empty where the relation does not exist yet (a lint or compile run
        on an empty database: no model runs there). A unit test gives its patterns by overriding this macro.
    -#}
    {%- set readable = execute and adapter.get_relation(database=patterns.database, schema=patterns.schema,
                                                       identifier=patterns.identifier) is not none -%}
    {%- if not readable -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query('select pattern, match_type from ' ~ patterns ~ ' order by match_type, pattern').rows -%}
    {%- set found = [] -%}
    {%- for row in rows -%}{%- do found.append([row[0], row[1]]) -%}{%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{% macro ad_pattern_condition(text, rows) -%}
    {#-
        The ad-pattern rule for `text` as one boolean expression with every pattern written in as a constant:
        match_type contains = the pattern occurs in the text, regex = the regular expression matches; null text =
        false. A table-driven `regexp_matches(text, pattern)` would recompile the expression for every row it meets;
        as a literal it is compiled once.
    -#}
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
