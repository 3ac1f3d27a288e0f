{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='reception_date') }}

{#-
    One row per (platform, shop, buyer, business date) with a reception: the shop-level view of a buyer's day.
    A buyer is received at shop level when any reception that day is unfiltered, and filtered only when every one is
    (docs/metrics.md §1 counts); inquiry / after-sale when any unfiltered reception is one.
    Incremental by reception_date with the look-back of int_receptions__classified (a buyer-day depends on that day's
    receptions only).
-#}
with receptions as (
    select * from {{ ref('int_receptions__classified') }}
    where {{ incremental_window('reception_date') }}
),

final as (
    select
        platform,
        shop_id,
        buyer_key,
        reception_date,
        count(*) as reception_count,
        bool_or(not is_filtered) as has_reception,
        bool_or(is_inquiry) as has_inquiry,
        bool_or(not is_filtered and is_after_sale) as has_after_sale_reception
    from receptions
    group by platform, shop_id, buyer_key, reception_date
)

select * from final
