{{ config(materialized='table') }}

with source as (
    select * from {{ source('kefu', 'raw_messages') }}
),

sessions as (
    select session_id from {{ ref('base_kefu__sessions') }} where _outcome = 'staged'
),

checked as (
    select
        {{ row_fingerprint(['source.message_id', 'source.session_id', 'source.sent_at', 'source.sender_role',
                            'source.is_auto_reply', 'source.content_type', 'source.content']) }} as _fingerprint,
        cast(source.message_id as string) as _row_key,
        source._source_file,
        {{ raw_values_text(['source.session_id', 'source.sent_at', 'source.sender_role', 'source.is_auto_reply',
                            'source.content_type']) }} as _raw_values,
        case
            {{- missing_required_checks(['source.message_id', 'source.session_id', 'source.sent_at',
                                         'source.sender_role']) }}
            {{ unknown_enum_check('source.sender_role', ['buyer', 'agent', 'robot', 'system']) }}
            {{ unknown_enum_check('source.content_type',
                                  ['text', 'image', 'product_card', 'order_card', 'coupon', 'other'], nullable=true) }}
            {{- timestamp_checks(['source.sent_at']) }}
            {{- unparsable_checks(['source.is_auto_reply'], 'boolean') }}
            when sessions.session_id is null then 'message of an unknown session'
        end as _field_reject_reason,
        cast(source.message_id as string) as message_id,
        cast(source.session_id as string) as session_id,
        {{ parse_timestamp('source.sent_at') }} as sent_at,
        {{ normalise_enum('source.sender_role') }} as sender_role,
        coalesce(try_cast(source.is_auto_reply as boolean), false) as is_auto_reply,
        coalesce({{ normalise_enum('source.content_type') }}, 'other') as content_type,
        cast(source.content as string) as content
    from source
    left join sessions
        on cast(source.session_id as string) = sessions.session_id
),

final as (
    {{ classify_raw_rows('checked', ['message_id']) }}
)

select * from final
