{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='reception_date') }}

{#- Incremental by reception_date (a day's counts read that day's buyer-days only). -#}
with buyer_days as (
    select * from {{ ref('int_receptions__shop_buyer_days') }}
    where {{ incremental_window('reception_date') }}
),

final as (
    select
        platform,
        shop_id,
        reception_date,
        count(*) as consult_buyers,
        count(*) filter (where has_reception) as reception_buyers,
        count(*) filter (where not has_reception) as filtered_buyers,
        count(*) filter (where has_inquiry) as inquiry_buyers,
        count(*) filter (where has_after_sale_reception) as after_sale_buyers
    from buyer_days
    group by platform, shop_id, reception_date
)

{{ select_with_shop_rules('final', 'final.reception_date', flag_shop_rule=false) }}
