{{ config(materialized='table') }}

with source as (
    select * from {{ source('kefu', 'raw_faq_events') }}
),

questions as (
    select faq_id from {{ ref('base_kefu__faq_questions') }} where _outcome = 'staged'
),

checked as (
    select
        {{ row_fingerprint(['source.event_id', 'source.platform', 'source.shop_id', 'source.buyer_id',
                            'source.session_id', 'source.faq_id', 'source.event_type', 'source.occurred_at']) }}
            as _fingerprint,
        cast(source.event_id as string) as _row_key,
        source._source_file,
        {{ raw_values_text(['source.platform', 'source.shop_id', 'source.session_id', 'source.faq_id',
                            'source.event_type', 'source.occurred_at']) }} as _raw_values,
        case
            {{- missing_required_checks(['source.event_id', 'source.platform', 'source.shop_id', 'source.faq_id',
                                         'source.event_type', 'source.occurred_at']) }}
            {{ unknown_enum_check('source.platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
            {{ unknown_enum_check('source.event_type',
                                  ['shown', 'clicked', 'resolved', 'transferred', 'helpful', 'unhelpful']) }}
            {{- timestamp_checks(['source.occurred_at']) }}
            when questions.faq_id is null then 'event of an unknown faq_id'
        end as _field_reject_reason,
        cast(source.event_id as string) as event_id,
        {{ normalise_enum('source.platform') }} as platform,
        cast(source.shop_id as string) as shop_id,
        {{ hash_buyer('source.buyer_id') }} as buyer_key,
        nullif(trim(cast(source.session_id as string)), '') as session_id,
        cast(source.faq_id as string) as faq_id,
        {{ normalise_enum('source.event_type') }} as event_type,
        {{ parse_timestamp('source.occurred_at') }} as occurred_at
    from source
    left join questions
        on cast(source.faq_id as string) = questions.faq_id
),

final as (
    {{ classify_raw_rows('checked', ['event_id'], version_column='occurred_at', version_wins='earliest') }}
)

select * from final
