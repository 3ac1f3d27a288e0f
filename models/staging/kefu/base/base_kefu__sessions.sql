{%- set key_columns = ['session_id'] %}
{%- set fingerprint_columns = ['session_id', 'platform', 'shop_id', 'buyer_id', 'agent_id', 'started_at', 'ended_at',
                               'human_joined_at', 'entry_point', 'transferred_from_session_id'] %}
{%- set raw_columns = ['platform', 'shop_id', 'agent_id', 'started_at', 'ended_at', 'human_joined_at', 'entry_point',
                       'transferred_from_session_id'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_sessions', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_sessions') }}
),

zoned as (
    -- the shop's time zone: instants convert to its wall clock (DECISIONLOG "Zoned timestamps")
    {{ with_shop_timezone('landed') }}
),

source as (
    select
        *,
        {{- parsed_timestamps(['started_at', 'ended_at', 'human_joined_at'], '_shop_timezone') }}
    from zoned
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(session_id as string) as _row_key,
        _source_file,
        _source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['session_id', 'platform', 'shop_id', 'buyer_id', 'started_at']) }}
            {{ unknown_enum_check('platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
            {{ unknown_enum_check('entry_point', ['product', 'order', 'shop', 'campaign', 'other'], nullable=true) }}
            {{- timestamp_checks(['started_at', 'ended_at', 'human_joined_at']) }}
            when
                {{ parsed_timestamp('ended_at') }}
                < {{ parsed_timestamp('started_at') }}
                then 'ended_at < started_at'
        end as _row_reject_reason,
        cast(session_id as string) as session_id,
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as string) as shop_id,
        {{ hash_buyer('buyer_id') }} as buyer_key,
        nullif(trim(cast(agent_id as string)), '') as agent_id,
        {{ parsed_timestamp('started_at') }} as started_at,
        {{ parsed_timestamp('ended_at') }} as ended_at,
        {{ parsed_timestamp('human_joined_at') }} as human_joined_at,
        {{ normalise_enum('entry_point') }} as entry_point,
        nullif(trim(cast(transferred_from_session_id as string)), '') as transferred_from_session_id
    from source
),

{{ rows_to_classify('new_rows', 'raw_sessions', key_columns, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns) }}
)

{{ select_classified('final', 'raw_sessions', raw_columns, fingerprint_columns) }}
