-- Per shop-day: consult = reception + filtered (distinct buyers),
-- and consult equals the distinct buyers in fct_receptions.
with facts as (
    select platform, shop_id, reception_date, count(distinct buyer_key) as fact_buyers
    from {{ ref('fct_receptions') }}
    group by platform, shop_id, reception_date
)

select agg.*, facts.fact_buyers
from {{ ref('agg_shop_daily_receptions') }} as agg
full outer join facts
    on
        agg.platform = facts.platform
        and agg.shop_id = facts.shop_id
        and agg.reception_date = facts.reception_date
where
    agg.consult_buyers is null
    or facts.fact_buyers is null
    or agg.consult_buyers <> agg.reception_buyers + agg.filtered_buyers
    or agg.consult_buyers <> facts.fact_buyers
    or agg.inquiry_buyers > agg.reception_buyers
