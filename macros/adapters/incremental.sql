{#- The DuckDB (default__) and Spark (spark__) SQL of the `lookback` incremental strategy (macros/incremental.sql). -#}

{% macro spark__get_incremental_lookback_sql(arg_dict) %}
    {#-
        Spark with Parquet tables has no DELETE: the kept target rows (those the DuckDB version would not delete) and
        the new batch go into a work table, which then replaces the target (insert overwrite of the whole table; Spark
        cannot overwrite a table it reads in the same statement). The statement returned drops the work table.
    -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set date_column = config.require('lookback_column') -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- set work = target.incorporate(path={'identifier': target.identifier ~ '__lookback_work'}) -%}
    {%- do run_query('drop table if exists ' ~ work) -%}
    {%- do run_query(
        'create table ' ~ work ~ ' using parquet as '
        ~ 'select ' ~ columns ~ ' from ' ~ target ~ ' where not coalesce('
        ~ date_column ~ ' >= ' ~ lookback_start(target, date_column)
        ~ ((' or ' ~ lookback_key_in_batch(unique_key, temp)) if unique_key else '')
        ~ ', false) union all select ' ~ columns ~ ' from ' ~ temp) -%}
    {%- do run_query('insert overwrite table ' ~ target ~ ' select ' ~ columns ~ ' from ' ~ work) -%}
    drop table if exists {{ work }}
{% endmacro %}

{% macro default__get_incremental_lookback_sql(arg_dict) %}
    {#- Custom incremental strategy `lookback` (config: lookback_column, optional unique_key). -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set date_column = config.require('lookback_column') -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }}
    where
        {{ date_column }} >= {{ lookback_start(target, date_column) }}
        {%- if unique_key %}
        or {{ lookback_key_in_batch(unique_key, temp) }}
        {%- endif %};

    {%- if unique_key %}
    {#- the batch may hold rows dated before the look-back start (replaced by key): its earliest date is recorded for
        a refresh's gate and publish (kefu.publish.refresh_scope), which then start there -#}
    insert into run_state.lookback_batches
    select '{{ invocation_id }}', '{{ target.identifier }}', cast(min({{ date_column }}) as date) from {{ temp }};
    {%- endif %}

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ temp }}
    order by {{ date_column }}
{% endmacro %}
