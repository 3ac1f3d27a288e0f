{%- set key_columns = ['agent_id', 'started_at'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_agent_status', key_columns=key_columns) }}

with source as (
    {{ landing_rows('raw_agent_status') }}
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
            {{- timestamp_checks(['started_at', 'ended_at']) }}
            when {{ parse_timestamp('ended_at') }} < {{ parse_timestamp('started_at') }} then 'ended_at < started_at'
        end as _row_reject_reason,
        cast(agent_id as string) as agent_id,
        {{ normalise_enum('status') }} as status,
        {{ parse_timestamp('started_at') }} as started_at,
        {{ parse_timestamp('ended_at') }} as ended_at
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
