with receptions as (
    select * from {{ ref('fct_receptions') }}
),

buyer_days as (
    -- one row per (shop, buyer, day): a buyer is filtered at shop level only if every reception that day is
    select
        platform,
        shop_id,
        reception_date,
        buyer_key,
        bool_or(not is_filtered) as has_reception,
        bool_or(is_inquiry) as has_inquiry,
        bool_or(not is_filtered and is_after_sale) as has_after_sale_reception
    from receptions
    group by platform, shop_id, reception_date, buyer_key
),

final as (
    select
        platform,
        shop_id,
        reception_date,
        count(*) as consult_buyers,
        sum(case when has_reception then 1 else 0 end) as reception_buyers,
        sum(case when not has_reception then 1 else 0 end) as filtered_buyers,
        sum(case when has_inquiry then 1 else 0 end) as inquiry_buyers,
        sum(case when has_after_sale_reception then 1 else 0 end) as after_sale_buyers
    from buyer_days
    group by platform, shop_id, reception_date
)

select * from final
