{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='reception_date',
          on_schema_change='append_new_columns') }}
{#- One row per reception: int_receptions__classified's columns for BI; incremental over the same look-back window. -#}
with receptions as (
    select * from {{ ref('int_receptions__classified') }}
    where {{ incremental_window('reception_date') }}
),

final as (
    select
        reception_id,
        platform,
        shop_id,
        agent_id,
        buyer_key,
        reception_date,
        first_message_at,
        initiated_by,
        buyer_message_count,
        agent_message_count,
        is_filtered,
        filter_reason,
        is_after_sale,
        is_inquiry
    from receptions
)

select * from final
