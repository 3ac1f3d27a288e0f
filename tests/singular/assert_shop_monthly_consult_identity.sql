-- Per shop-month: consult = reception + filtered in distinct buyers, consult = the distinct buyers of fct_receptions,
-- and every *_buyer_days figure = the sum of agg_shop_daily_receptions over the month.
with facts as (
    select
        platform,
        shop_id,
        cast({{ dbt.date_trunc('month', 'reception_date') }} as date) as month_start_date,
        count(distinct buyer_key) as fact_buyers
    from {{ ref('fct_receptions') }}
    group by all
),

daily as (
    select
        platform,
        shop_id,
        cast({{ dbt.date_trunc('month', 'reception_date') }} as date) as month_start_date,
        sum(consult_buyers) as consult_buyer_days,
        sum(reception_buyers) as reception_buyer_days,
        sum(filtered_buyers) as filtered_buyer_days,
        sum(inquiry_buyers) as inquiry_buyer_days
    from {{ ref('agg_shop_daily_receptions') }}
    group by all
)

select
    monthly.*,
    facts.fact_buyers,
    daily.consult_buyer_days as daily_consult_buyer_days
from {{ ref('agg_shop_monthly_receptions') }} as monthly
full outer join facts
    on
        monthly.platform = facts.platform
        and monthly.shop_id = facts.shop_id
        and monthly.month_start_date = facts.month_start_date
left join daily
    on
        monthly.platform = daily.platform
        and monthly.shop_id = daily.shop_id
        and monthly.month_start_date = daily.month_start_date
where
    monthly.consult_buyers is null
    or facts.fact_buyers is null
    or monthly.consult_buyers <> monthly.reception_buyers + monthly.filtered_buyers
    or monthly.consult_buyers <> facts.fact_buyers
    or monthly.consult_buyer_days <> daily.consult_buyer_days
    or monthly.reception_buyer_days <> daily.reception_buyer_days
    or monthly.filtered_buyer_days <> daily.filtered_buyer_days
    or monthly.inquiry_buyer_days <> daily.inquiry_buyer_days
    or monthly.consult_buyer_days <> monthly.reception_buyer_days + monthly.filtered_buyer_days
