{%- set key_columns = ['agent_id'] %}
{%- set fingerprint_columns = ['agent_id', 'platform', 'shop_id', 'agent_name', 'group_name', 'routing_weight',
                               'max_concurrent', 'is_active', 'updated_at'] %}
{%- set raw_columns = ['platform', 'shop_id', 'group_name', 'routing_weight', 'max_concurrent', 'is_active',
                       'updated_at'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_agents', key_columns=key_columns) }}

with landed as (
    {{ landing_rows('raw_agents') }}
),

zoned as (
    -- the shop's time zone: instants convert to its wall clock (DECISIONLOG "Zoned timestamps")
    {{ with_shop_timezone('landed') }}
),

source as (
    select
        *,
        {{- parsed_timestamps(['updated_at'], '_shop_timezone') }}
    from zoned
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(agent_id as string) as _row_key,
        _source_file,
        _source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['agent_id', 'platform', 'shop_id', 'updated_at']) }}
            {{ unknown_enum_check('platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
            {{- timestamp_checks(['updated_at']) }}
            {{- unparsable_checks(['routing_weight'], 'double') }}
            {{- unparsable_checks(['max_concurrent'], 'integer') }}
            {{- unparsable_checks(['is_active'], 'boolean') }}
            when try_cast(routing_weight as double) < 0 then 'routing_weight < 0'
            when try_cast(max_concurrent as integer) <= 0 then 'max_concurrent <= 0'
        end as _row_reject_reason,
        cast(agent_id as string) as agent_id,
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as string) as shop_id,
        cast(agent_name as string) as agent_name,
        cast(group_name as string) as group_name,
        coalesce(try_cast(routing_weight as double), 1.0) as routing_weight,
        try_cast(max_concurrent as integer) as max_concurrent,
        coalesce(try_cast(is_active as boolean), true) as is_active,
        {{ parsed_timestamp('updated_at') }} as updated_at
    from source
),

{{ rows_to_classify('new_rows', 'raw_agents', key_columns, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns, version_column='updated_at') }}
)

{{ select_classified('final', 'raw_agents', raw_columns, fingerprint_columns) }}
