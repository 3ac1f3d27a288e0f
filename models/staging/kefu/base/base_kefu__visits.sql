{{ config(materialized='table') }}

with source as (
    select * from {{ source('kefu', 'raw_visits') }}
),

checked as (
    select
        {{ row_fingerprint(['platform', 'shop_id', 'visitor_id', 'visited_at', 'product_id']) }} as _fingerprint,
        {{ row_fingerprint(['platform', 'shop_id', 'visitor_id', 'visited_at', 'product_id']) }} as _row_key,
        _source_file,
        {{ raw_values_text(['platform', 'shop_id', 'visited_at', 'product_id']) }} as _raw_values,
        case
            {{- missing_required_checks(['platform', 'shop_id', 'visitor_id', 'visited_at']) }}
            {{ unknown_enum_check('platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
            {{- timestamp_checks(['visited_at']) }}
        end as _field_reject_reason,
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as string) as shop_id,
        {{ hash_buyer('visitor_id') }} as visitor_key,
        {{ parse_timestamp('visited_at') }} as visited_at,
        nullif(trim(cast(product_id as string)), '') as product_id
    from source
),

final as (
    {{ classify_raw_rows('checked', ['_fingerprint']) }}
)

select * from final
