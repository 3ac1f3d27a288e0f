{%- set key_columns = ['_fingerprint'] %}
{%- set fingerprint_columns = ['platform', 'shop_id', 'visitor_id', 'visited_at', 'product_id'] %}
{%- set raw_columns = ['platform', 'shop_id', 'visited_at', 'product_id'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_visits', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_visits') }}
),

zoned as (
    -- the shop's time zone: instants convert to its wall clock (DECISIONLOG "Zoned timestamps")
    {{ with_shop_timezone('landed') }}
),

source as (
    select
        *,
        {{- parsed_timestamps(['visited_at'], '_shop_timezone') }}
    from zoned
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        {{ row_fingerprint(fingerprint_columns) }} as _row_key,
        _source_file,
        _source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['platform', 'shop_id', 'visitor_id', 'visited_at']) }}
            {{ unknown_enum_check('platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
            {{- timestamp_checks(['visited_at']) }}
        end as _row_reject_reason,
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as string) as shop_id,
        {{ hash_buyer('visitor_id') }} as visitor_key,
        {{ parsed_timestamp('visited_at') }} as visited_at,
        nullif(trim(cast(product_id as string)), '') as product_id
    from source
),

{{ rows_to_classify('new_rows', 'raw_visits', key_columns, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns) }}
)

{{ select_classified('final', 'raw_visits', raw_columns, fingerprint_columns) }}
