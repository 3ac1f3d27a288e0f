{{ config(materialized='table') }}

with source as (
    select * from {{ source('kefu', 'raw_order_items') }}
),

orders as (
    select order_id from {{ ref('base_kefu__orders') }} where _outcome = 'staged'
),

checked as (
    select
        {{ row_fingerprint(['source.order_id', 'source.line_id', 'source.product_id', 'source.product_name',
                            'source.quantity', 'source.amount']) }} as _fingerprint,
        cast(source.order_id as string) || '/' || coalesce(cast(source.line_id as string), '<null>') as _row_key,
        source._source_file,
        {{ raw_values_text(['source.product_id', 'source.quantity', 'source.amount']) }} as _raw_values,
        case
            {{- missing_required_checks(['source.order_id', 'source.line_id', 'source.product_id', 'source.quantity',
                                         'source.amount']) }}
            {{- unparsable_checks(['source.amount'], 'decimal(18, 2)') }}
            {{- unparsable_checks(['source.quantity'], 'integer') }}
            when try_cast(source.amount as decimal(18, 2)) < 0 then 'negative amount'
            when try_cast(source.quantity as integer) < 1 then 'quantity < 1'
            when orders.order_id is null then 'line of an unknown order'
        end as _field_reject_reason,
        cast(source.order_id as string) as order_id,
        cast(source.line_id as string) as line_id,
        cast(source.product_id as string) as product_id,
        cast(source.product_name as string) as product_name,
        try_cast(source.quantity as integer) as quantity,
        try_cast(source.amount as decimal(18, 2)) as amount
    from source
    left join orders
        on cast(source.order_id as string) = orders.order_id
),

final as (
    {{ classify_raw_rows('checked', ['order_id', 'line_id']) }}
)

select * from final
