{%- set key_columns = ['faq_id'] %}
{%- set fingerprint_columns = ['faq_id', 'platform', 'shop_id', 'topic', 'question'] %}
{%- set raw_columns = ['platform', 'shop_id', 'topic', 'question'] %}
{#- Spark (Parquet tables, no DELETE) rebuilds the base tables in full: the by-file increment is DuckDB's -#}
{{ config(materialized='incremental' if target.type == 'duckdb' else 'table', incremental_strategy='landing_rows',
          landing_table='raw_faq_questions', key_columns=key_columns) }}

with source as (
    {{ landing_rows('raw_faq_questions') }}
),

new_rows as (
    select
        {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
        cast(faq_id as string) as _row_key,
        _source_file,
        _source_version,
        {{- raw_value_parts(raw_columns) }},
        case
            {{- missing_required_checks(['faq_id', 'platform', 'shop_id']) }}
            {{ unknown_enum_check('platform', ['taobao', 'tmall', 'douyin', 'shopee']) }}
        end as _row_reject_reason,
        cast(faq_id as string) as faq_id,
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as string) as shop_id,
        cast(topic as string) as topic,
        cast(question as string) as question
    from source
),

{{ rows_to_classify('new_rows', 'raw_faq_questions', key_columns, raw_columns=raw_columns) }},

final as (
    {{ classify_raw_rows('checked', key_columns) }}
)

{{ select_classified('final', 'raw_faq_questions', raw_columns, fingerprint_columns, zoned=false) }}
