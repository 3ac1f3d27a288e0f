{#-
    Spark (dbt-spark) adapter glue, unused on DuckDB:
    - contracts: the YAML data_type `varchar` (DuckDB's name) is Spark's `string` (Spark wants a length after varchar);
    - the incremental strategy `lookback` (macros/incremental.sql): dbt-spark accepts only its built-in strategies, so
      these two project macros (they take precedence over dbt-spark's of the same name) let `lookback` through and
      hand every other strategy to dbt-spark unchanged.
-#}

{% macro spark__get_empty_schema_sql(columns) %}
    {%- set spark_columns = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name] -%}
        {%- set data_type = column.get('data_type') -%}
        {%- if data_type is not none and data_type | trim | lower == 'varchar' -%}
            {%- set column = dict(column, data_type='string') -%}
        {%- endif -%}
        {%- do spark_columns.update({name: column}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(spark_columns)) }}
{% endmacro %}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy == 'lookback' -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt_spark.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{% endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
    {%- if strategy == 'lookback' -%}
        {%- set dest_columns = adapter.get_columns_in_relation(target) -%}
        {{ return(get_incremental_lookback_sql({'target_relation': target, 'temp_relation': source,
                                                'unique_key': unique_key, 'dest_columns': dest_columns})) }}
    {%- endif -%}
    {{ return(dbt_spark.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key,
                                                      incremental_predicates)) }}
{% endmacro %}

{#-
    Contracts on Spark: Spark types some numeric expressions differently from DuckDB (sum of decimal(18,2) is
    decimal(28,2), not decimal(38,2); decimal ÷ decimal stays decimal, not double; epoch differences are bigint, not
    double). A contracted model's select casts such a column to its contract type when both types are numeric, and the
    contract check runs on that select: names, column count and every non-numeric type are still enforced exactly.
-#}
{% macro _spark_is_numeric(data_type) -%}
    {{ return(modules.re.match('^(tinyint|smallint|int|integer|bigint|long|float|double|real|decimal|numeric)\\b',
                               (data_type or '') | trim | lower) is not none) }}
{%- endmacro %}

{% macro spark__get_select_subquery(sql) %}
    {%- set query_types = {} -%}
    {%- for column in get_column_schema_from_query(sql) -%}
        {%- do query_types.update({column.name | lower: column.dtype | lower}) -%}
    {%- endfor -%}
    {%- set selected = [] -%}
    {%- for name, column in model['columns'].items() -%}
        {%- set quoted = adapter.quote(name) if column.get('quote') else name -%}
        {%- set wanted = (column.get('data_type') or '') | trim | lower -%}
        {%- set found = query_types.get(name | lower) -%}
        {%- if found and wanted and found != wanted and _spark_is_numeric(found) and _spark_is_numeric(wanted) -%}
            {%- do selected.append('cast(' ~ quoted ~ ' as ' ~ wanted ~ ') as ' ~ quoted) -%}
        {%- else -%}
            {%- do selected.append(quoted) -%}
        {%- endif -%}
    {%- endfor %}
    select {{ selected | join(', ') }}
    from (
        {{ sql }}
    ) as model_subq
{%- endmacro %}

{% macro spark__get_assert_columns_equivalent(sql) -%}
    {#- A column the model lacks makes the select above fail to resolve: check names and count on the model first. -#}
    {%- set names = [] -%}
    {%- for column in get_column_schema_from_query(sql) -%}{%- do names.append(column.name | lower) -%}{%- endfor -%}
    {%- set wanted = [] -%}
    {%- for name in model['columns'] -%}{%- do wanted.append(name | lower) -%}{%- endfor -%}
    {%- if names | sort != wanted | sort -%}
        {{ return(assert_columns_equivalent(sql)) }}
    {%- endif -%}
    {{ return(assert_columns_equivalent(spark__get_select_subquery(sql))) }}
{%- endmacro %}

{#-
    Seeds on Spark: dbt-spark binds every CSV cell as '<Python value>' text, so an empty cell (None) loads as the text
    'None' instead of null, and a quote or backslash in a cell breaks or changes the statement. This version (it takes
    precedence over dbt-spark's) writes each cell as an SQL literal instead: an empty cell is null, as on DuckDB, text
    is quoted by string_literal, and every value is cast to the column's type as before.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do column_types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ column_types[loop.index0] }})
                    {%- elif value is sameas true or value is sameas false -%}
                        {{ 'true' if value else 'false' }}
                    {%- else -%}
                        cast({{ string_literal(value | string) }} as {{ column_types[loop.index0] }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {#- the SQL of the first batch, rendered into the compiled seed file -#}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#-
    dbt.listagg on Spark: dbt-spark's version drops the order_by_clause (collect_list in whatever order the rows
    come), so a list such as the commission mart's attribution rules "order by first_from" came out in another order
    than on DuckDB. Spark 4 has listagg … within group (order by …); a limit_num still goes to dbt-spark's version.
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ return(dbt_spark.spark__listagg(measure, delimiter_text, order_by_clause, limit_num)) }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
