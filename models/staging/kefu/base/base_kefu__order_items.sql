{%- set parent = {
    'model': 'base_kefu__orders', 'column': 'order_id', 'parent_column': 'order_id',
    'reason': 'line of an unknown order'
} %}
{%- set key_columns = ['order_id', 'line_id'] %}
{%- set fingerprint_columns = ['source.order_id', 'source.line_id', 'source.product_id', 'source.product_name',
                               'source.quantity', 'source.amount'] %}
{%- set raw_columns = ['source.product_id', 'source.quantity', 'source.amount'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_order_items', key_columns=key_columns) }}

with source as (
    {{ landing_rows('raw_order_items') }}
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(source.order_id as string) || '/' || coalesce(cast(source.line_id as string), '<null>') as _row_key,
        source._source_file,
        source._source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['source.order_id', 'source.line_id', 'source.product_id', 'source.quantity',
                                         'source.amount']) }}
            {{- unparsable_checks(['source.amount'], 'decimal(18, 2)') }}
            {{- unparsable_checks(['source.quantity'], 'integer') }}
            when try_cast(source.amount as decimal(18, 2)) < 0 then 'negative amount'
            when try_cast(source.quantity as integer) < 1 then 'quantity < 1'
        end as _row_reject_reason,
        cast(source.order_id as string) as order_id,
        cast(source.line_id as string) as line_id,
        cast(source.product_id as string) as product_id,
        cast(source.product_name as string) as product_name,
        try_cast(source.quantity as integer) as quantity,
        try_cast(source.amount as decimal(18, 2)) as amount
    from source
),

{{ rows_to_classify('new_rows', 'raw_order_items', key_columns, parent, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns) }}
)

{{ select_classified('final', 'raw_order_items', raw_columns, fingerprint_columns, zoned=false) }}
