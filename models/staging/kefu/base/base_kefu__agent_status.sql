{%- set key_columns = ['agent_id', 'started_at'] %}
{%- set fingerprint_columns = ['agent_id', 'status', 'started_at', 'ended_at'] %}
{%- set raw_columns = ['status', 'started_at', 'ended_at'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_agent_status', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_agent_status') }}
),

zoned as (
    -- no shop on the row: the time zone of its agent (roster)'s shop (DECISIONLOG "Zoned timestamps")
    {{ with_parent_timezone('landed', 'agent_id', 'base_kefu__agents', 'agent_id') }}
),

source as (
    select
        *,
        {{- parsed_timestamps(['started_at', 'ended_at'], '_shop_timezone') }}
    from zoned
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(agent_id as string) || '@' || coalesce(cast(started_at as string), '<null>') as _row_key,
        _source_file,
        _source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['agent_id', 'status', 'started_at']) }}
            {{ unknown_enum_check('status', ['online', 'busy', 'away', 'offline']) }}
            {{- timestamp_checks(['started_at', 'ended_at']) }}
            when
                {{ parsed_timestamp('ended_at') }}
                < {{ parsed_timestamp('started_at') }}
                then 'ended_at < started_at'
        end as _row_reject_reason,
        cast(agent_id as string) as agent_id,
        {{ normalise_enum('status') }} as status,
        {{ parsed_timestamp('started_at') }} as started_at,
        {{ parsed_timestamp('ended_at') }} as ended_at
    from source
),

{{ rows_to_classify('new_rows', 'raw_agent_status', key_columns, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns) }}
)

{{ select_classified('final', 'raw_agent_status', raw_columns, fingerprint_columns) }}
