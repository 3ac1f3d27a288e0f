{%- set parent = {
    'model': 'base_kefu__faq_questions', 'column': 'faq_id', 'parent_column': 'faq_id',
    'reason': 'event of an unknown faq_id'
} %}
{%- set key_columns = ['event_id'] %}
{%- set fingerprint_columns = ['source.event_id', 'source.platform', 'source.shop_id', 'source.buyer_id',
                               'source.session_id', 'source.faq_id', 'source.event_type', 'source.occurred_at'] %}
{%- set raw_columns = ['source.platform', 'source.shop_id', 'source.session_id', 'source.faq_id', 'source.event_type',
                       'source.occurred_at'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_faq_events', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_faq_events') }}
),

zoned as (
    -- the shop's time zone: instants convert to its wall clock (DECISIONLOG "Zoned timestamps")
    {{ with_shop_timezone('landed') }}
),

source as (
    select
        zoned.*,
        {{- parsed_timestamps(['zoned.occurred_at'], 'zoned._shop_timezone') }}
    from zoned
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(source.event_id as string) as _row_key,
        source._source_file,
        source._source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['source.event_id', 'source.platform', 'source.shop_id', 'source.faq_id',
                                         'source.event_type', 'source.occurred_at']) }}
            {{ unknown_enum_check('source.platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
            {{ unknown_enum_check('source.event_type',
                                  ['shown', 'clicked', 'resolved', 'transferred', 'helpful', 'unhelpful']) }}
            {{- timestamp_checks(['source.occurred_at']) }}
        end as _row_reject_reason,
        cast(source.event_id as string) as event_id,
        {{ normalise_enum('source.platform') }} as platform,
        cast(source.shop_id as string) as shop_id,
        {{ hash_buyer('source.buyer_id') }} as buyer_key,
        nullif(trim(cast(source.session_id as string)), '') as session_id,
        cast(source.faq_id as string) as faq_id,
        {{ normalise_enum('source.event_type') }} as event_type,
        {{ parsed_timestamp('source.occurred_at') }} as occurred_at
    from source
),

{{ rows_to_classify('new_rows', 'raw_faq_events', key_columns, parent, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns, version_column='occurred_at', version_wins='earliest') }}
)

{{ select_classified('final', 'raw_faq_events', raw_columns, fingerprint_columns) }}
