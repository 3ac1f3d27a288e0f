{#-
    How kefu's tables are laid out in the DuckDB build database (overrides of two dbt-duckdb macros; the SQL of every
    model is unchanged, the published file is a plain copy of the marts either way).
-#}

{% macro duckdb__create_table_as(temporary, relation, compiled_code, language='sql', partitioned_by=none,
                                 sorted_by=none) -%}
    {#-
        dbt-duckdb's create table, with the rows of a look-back model written in the order of its look-back column
        (the lookback strategy's insert in macros/incremental.sql does the same): each row group then holds a few
        consecutive dates, so a look-back run's date filters skip the older row groups and its delete touches only the
        newest ones. Unordered (preserve_insertion_order is off), every row group held every date, and a filter on the
        last days read all of them (int_messages__human_phase: 71 of 71 row groups at size M, 60 days).
    -#}
    {%- set column = config.get('lookback_column') if language == 'sql' and not temporary else none -%}
    {%- set code = ('select * from (' ~ compiled_code ~ ') as lookback_rows order by ' ~ column)
        if column else compiled_code -%}
    {{- return(dbt.duckdb__create_table_as(temporary, relation, code, language, partitioned_by=partitioned_by,
                                           sorted_by=sorted_by)) -}}
{%- endmacro %}

{% macro duckdb__get_table_columns_and_constraints() -%}
    {#-
        The column list of a contracted table: names and types as dbt renders them, plus the model's constraints except
        primary_key. A declared primary key stays the documented, tested grain (its unique_combination test, the key
        the Spark comparison sorts by) but is not built as a DuckDB index: an index is rewritten whenever rows are
        deleted, so every look-back run of an incremental mart paid for the whole index at commit (about 5 s for
        fct_feige_sessions' 1M keys at size M, 60 days), and a full build paid for building and holding each index.
    -#}
    {%- set columns = adapter.render_raw_columns_constraints(raw_columns=model['columns']) -%}
    {%- set kept = model['constraints'] | rejectattr('type', 'equalto', 'primary_key') | list -%}
    {%- set constraints = adapter.render_raw_model_constraints(raw_constraints=kept) -%}
    ({{ (columns + constraints) | join(', ') }})
{%- endmacro %}
