{%- set key_columns = ['agent_id', 'started_at'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_agent_status', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_agent_status') }}
),

source as (
    -- no shop on the row: the time zone of its agent (roster)'s shop (DECISIONLOG "Zoned timestamps")
    {{ with_parent_timezone('landed', 'agent_id', 'base_kefu__agents', 'agent_id') }}
),

new_rows as (
    select
        {{ row_fingerprint(['agent_id', 'status', 'started_at', 'ended_at']) }} as _fingerprint,
        cast(agent_id as string) || '@' || coalesce(cast(started_at as string), '<null>') as _row_key,
        _source_file,
        _source_version,
        {{ raw_values_text(['status', 'started_at', 'ended_at']) }} as _raw_values,
        case
            {{- missing_required_checks(['agent_id', 'status', 'started_at']) }}
            {{ unknown_enum_check('status', ['online', 'busy', 'away', 'offline']) }}
            {{- timestamp_checks(['started_at', 'ended_at'], '_shop_timezone') }}
            when
                {{ parse_timestamp('ended_at', '_shop_timezone') }}
                < {{ parse_timestamp('started_at', '_shop_timezone') }}
                then 'ended_at < started_at'
        end as _row_reject_reason,
        cast(agent_id as string) as agent_id,
        {{ normalise_enum('status') }} as status,
        {{ parse_timestamp('started_at', '_shop_timezone') }} as started_at,
        {{ parse_timestamp('ended_at', '_shop_timezone') }} as ended_at
    from source
),

{{ rows_to_classify('new_rows', 'raw_agent_status', key_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns) }}
)

select
    *,
    {{ classified_at() }} as _classified_at
from final
