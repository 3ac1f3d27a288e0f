{{ config(materialized='table') }}

with source as (
    select * from {{ source('kefu', 'raw_agent_status') }}
),

checked as (
    select
        {{ row_fingerprint(['agent_id', 'status', 'started_at', 'ended_at']) }} as _fingerprint,
        cast(agent_id as string) || '@' || coalesce(cast(started_at as string), '<null>') as _row_key,
        _source_file,
        {{ raw_values_text(['status', 'started_at', 'ended_at']) }} as _raw_values,
        case
            {{- missing_required_checks(['agent_id', 'status', 'started_at']) }}
            {{ unknown_enum_check('status', ['online', 'busy', 'away', 'offline']) }}
            {{- timestamp_checks(['started_at', 'ended_at']) }}
            when {{ parse_timestamp('ended_at') }} < {{ parse_timestamp('started_at') }} then 'ended_at < started_at'
        end as _field_reject_reason,
        cast(agent_id as string) as agent_id,
        {{ normalise_enum('status') }} as status,
        {{ parse_timestamp('started_at') }} as started_at,
        {{ parse_timestamp('ended_at') }} as ended_at
    from source
),

final as (
    {{ classify_raw_rows('checked', ['agent_id', 'started_at']) }}
)

select * from final
