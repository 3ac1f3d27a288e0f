{%- set key_columns = ['order_id'] %}
{%- set fingerprint_columns = ['order_id', 'platform', 'shop_id', 'buyer_id', 'created_at', 'paid_at', 'order_amount',
                               'payment_amount', 'item_quantity', 'status', 'refund_amount', 'updated_at'] %}
{%- set raw_columns = ['platform', 'shop_id', 'created_at', 'paid_at', 'order_amount', 'payment_amount',
                       'item_quantity', 'status', 'refund_amount', 'updated_at'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_orders', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_orders') }}
),

zoned as (
    -- the shop's time zone: instants convert to its wall clock (DECISIONLOG "Zoned timestamps")
    {{ with_shop_timezone('landed') }}
),

source as (
    select
        *,
        {{- parsed_timestamps(['created_at', 'paid_at', 'updated_at'], '_shop_timezone') }}
    from zoned
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(order_id as string) as _row_key,
        _source_file,
        _source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['order_id', 'platform', 'shop_id', 'buyer_id', 'created_at', 'order_amount',
                                         'item_quantity', 'status', 'updated_at']) }}
            {{ unknown_enum_check('platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
            {{ unknown_enum_check('status', ['created', 'paid', 'shipped', 'completed', 'closed', 'refunded']) }}
            {{- timestamp_checks(['created_at', 'paid_at', 'updated_at']) }}
            {{- unparsable_checks(['order_amount', 'payment_amount', 'refund_amount'], 'decimal(18, 2)') }}
            {{- unparsable_checks(['item_quantity'], 'integer') }}
            when
                {{ parsed_timestamp('paid_at') }}
                < {{ parsed_timestamp('created_at') }}
                then 'paid_at < created_at'
            when
                try_cast(order_amount as decimal(18, 2)) < 0
                or try_cast(payment_amount as decimal(18, 2)) < 0
                or try_cast(refund_amount as decimal(18, 2)) < 0
                then 'negative amount'
            when try_cast(item_quantity as integer) < 1 then 'item_quantity < 1'
            when paid_at is not null and payment_amount is null
                then 'missing required field: payment_amount (order is paid)'
        end as _row_reject_reason,
        cast(order_id as string) as order_id,
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as string) as shop_id,
        {{ hash_buyer('buyer_id') }} as buyer_key,
        {{ parsed_timestamp('created_at') }} as created_at,
        {{ parsed_timestamp('paid_at') }} as paid_at,
        try_cast(order_amount as decimal(18, 2)) as order_amount,
        try_cast(payment_amount as decimal(18, 2)) as payment_amount,
        try_cast(item_quantity as integer) as item_quantity,
        {{ normalise_enum('status') }} as status,
        try_cast(refund_amount as decimal(18, 2)) as refund_amount,
        {{ parsed_timestamp('updated_at') }} as updated_at
    from source
),

{{ rows_to_classify('new_rows', 'raw_orders', key_columns, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns, version_column='updated_at') }}
)

{{ select_classified('final', 'raw_orders', raw_columns, fingerprint_columns) }}
