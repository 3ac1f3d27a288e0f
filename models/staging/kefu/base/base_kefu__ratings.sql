{{ config(materialized='table') }}

with source as (
    select * from {{ source('kefu', 'raw_ratings') }}
),

sessions as (
    select session_id from {{ ref('base_kefu__sessions') }} where _outcome = 'staged'
),

checked as (
    select
        {{ row_fingerprint(['source.session_id', 'source.rated_at', 'source.rating']) }} as _fingerprint,
        cast(source.session_id as string) as _row_key,
        source._source_file,
        {{ raw_values_text(['source.rated_at', 'source.rating']) }} as _raw_values,
        case
            {{- missing_required_checks(['source.session_id', 'source.rated_at', 'source.rating']) }}
            {{- timestamp_checks(['source.rated_at']) }}
            {{- unparsable_checks(['source.rating'], 'integer') }}
            when try_cast(source.rating as integer) not between 1 and 5 then 'rating outside 1-5'
            when sessions.session_id is null then 'rating of an unknown session'
        end as _field_reject_reason,
        cast(source.session_id as string) as session_id,
        {{ parse_timestamp('source.rated_at') }} as rated_at,
        try_cast(source.rating as integer) as rating
    from source
    left join sessions
        on cast(source.session_id as string) = sessions.session_id
),

final as (
    {{ classify_raw_rows('checked', ['session_id'], version_column='rated_at') }}
)

select * from final
