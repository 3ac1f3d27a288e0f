{%- set parent = {
    'model': 'base_kefu__sessions', 'column': 'session_id', 'parent_column': 'session_id',
    'reason': 'rating of an unknown session'
} %}
{%- set key_columns = ['session_id'] %}
{%- set fingerprint_columns = ['source.session_id', 'source.rated_at', 'source.rating'] %}
{%- set raw_columns = ['source.rated_at', 'source.rating'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_ratings', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_ratings') }}
),

zoned as (
    -- no shop on the row: the time zone of its session's shop (DECISIONLOG "Zoned timestamps")
    {{ with_parent_timezone('landed', 'session_id', 'base_kefu__sessions', 'session_id') }}
),

source as (
    select
        zoned.*,
        {{- parsed_timestamps(['zoned.rated_at'], 'zoned._shop_timezone') }}
    from zoned
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(source.session_id as string) as _row_key,
        source._source_file,
        source._source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['source.session_id', 'source.rated_at', 'source.rating']) }}
            {{- timestamp_checks(['source.rated_at']) }}
            {{- unparsable_checks(['source.rating'], 'integer') }}
            when try_cast(source.rating as integer) not between 1 and 5 then 'rating outside 1-5'
        end as _row_reject_reason,
        cast(source.session_id as string) as session_id,
        {{ parsed_timestamp('source.rated_at') }} as rated_at,
        try_cast(source.rating as integer) as rating
    from source
),

{{ rows_to_classify('new_rows', 'raw_ratings', key_columns, parent, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns, version_column='rated_at') }}
)

{{ select_classified('final', 'raw_ratings', raw_columns, fingerprint_columns) }}
