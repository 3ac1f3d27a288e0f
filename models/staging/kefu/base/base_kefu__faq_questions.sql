{{ config(materialized='table') }}

with source as (
    select * from {{ source('kefu', 'raw_faq_questions') }}
),

checked as (
    select
        {{ row_fingerprint(['faq_id', 'platform', 'shop_id', 'topic', 'question']) }} as _fingerprint,
        cast(faq_id as string) as _row_key,
        _source_file,
        {{ raw_values_text(['platform', 'shop_id', 'topic', 'question']) }} as _raw_values,
        case
            {{- missing_required_checks(['faq_id', 'platform', 'shop_id']) }}
            {{ unknown_enum_check('platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
        end as _field_reject_reason,
        cast(faq_id as string) as faq_id,
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as string) as shop_id,
        cast(topic as string) as topic,
        cast(question as string) as question
    from source
),

final as (
    {{ classify_raw_rows('checked', ['faq_id']) }}
)

select * from final
