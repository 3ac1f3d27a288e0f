{%- set parent = {
    'model': 'base_kefu__sessions', 'column': 'session_id', 'parent_column': 'session_id',
    'reason': 'message of an unknown session'
} %}
{%- set key_columns = ['message_id'] %}
{%- set fingerprint_columns = ['source.message_id', 'source.session_id', 'source.sent_at', 'source.sender_role',
                               'source.is_auto_reply', 'source.content_type', 'source.content'] %}
{%- set raw_columns = ['source.session_id', 'source.sent_at', 'source.sender_role', 'source.is_auto_reply',
                       'source.content_type'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_messages', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_messages') }}
),

zoned as (
    -- no shop on the row: the time zone of its session's shop (DECISIONLOG "Zoned timestamps")
    {{ with_parent_timezone('landed', 'session_id', 'base_kefu__sessions', 'session_id') }}
),

source as (
    select
        zoned.*,
        {{- parsed_timestamps(['zoned.sent_at'], 'zoned._shop_timezone') }}
    from zoned
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(source.message_id as string) as _row_key,
        source._source_file,
        source._source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['source.message_id', 'source.session_id', 'source.sent_at',
                                         'source.sender_role']) }}
            {{ unknown_enum_check('source.sender_role', ['buyer', 'agent', 'robot', 'system']) }}
            {{ unknown_enum_check('source.content_type',
                                  ['text', 'image', 'product_card', 'order_card', 'coupon', 'other'], nullable=true) }}
            {{- timestamp_checks(['source.sent_at']) }}
            {{- unparsable_checks(['source.is_auto_reply'], 'boolean') }}
        end as _row_reject_reason,
        cast(source.message_id as string) as message_id,
        cast(source.session_id as string) as session_id,
        {{ parsed_timestamp('source.sent_at') }} as sent_at,
        {{ normalise_enum('source.sender_role') }} as sender_role,
        coalesce(try_cast(source.is_auto_reply as boolean), false) as is_auto_reply,
        coalesce({{ normalise_enum('source.content_type') }}, 'other') as content_type,
        cast(source.content as string) as content
    from source
),

{{ rows_to_classify('new_rows', 'raw_messages', key_columns, parent, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns) }}
)

{{ select_classified('final', 'raw_messages', raw_columns, fingerprint_columns) }}
