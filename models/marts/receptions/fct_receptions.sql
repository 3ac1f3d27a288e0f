{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='reception_date') }}
{#- One row per reception: int_receptions__classified's columns for BI; incremental over the same look-back window. -#}
with receptions as (
    select * from {{ ref('int_receptions__classified') }}
    where {{ incremental_window('reception_date') }}
),

final as (
    select
        receptions.reception_id,
        receptions.platform,
        receptions.shop_id,
        receptions.agent_id,
        receptions.buyer_key,
        receptions.reception_date,
        receptions.first_message_at,
        receptions.initiated_by,
        receptions.buyer_message_count,
        receptions.agent_message_count,
        receptions.is_filtered,
        receptions.filter_reason,
        receptions.is_after_sale,
        receptions.is_inquiry,
        {{ roster_of_day('group_name') }} as group_name,
        {{ roster_of_day('agent_name') }} as agent_name
    from receptions
    {{ roster_of_day_joins('receptions.platform', 'receptions.shop_id', 'receptions.agent_id',
                           'receptions.reception_date') }}
)

select * from final
