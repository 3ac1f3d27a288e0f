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
