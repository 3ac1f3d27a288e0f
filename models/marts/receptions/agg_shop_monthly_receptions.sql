{#-
    One row per shop and calendar month. Multi-day figures both ways (docs/metrics.md §1): distinct buyers over the
    month (`*_buyers`; filtered = every reception of the buyer that month filtered) and the sum of the daily figures
    (`*_buyer_days`, equal to summing agg_shop_daily_receptions over the month).
-#}
with buyer_days as (
    select * from {{ ref('int_receptions__shop_buyer_days') }}
),

buyer_months as (
    select
        platform,
        shop_id,
        buyer_key,
        cast({{ dbt.date_trunc('month', 'reception_date') }} as date) as month_start_date,
        count(*) as consult_days,
        count(*) filter (where has_reception) as reception_days,
        count(*) filter (where not has_reception) as filtered_days,
        count(*) filter (where has_inquiry) as inquiry_days,
        count(*) filter (where has_after_sale_reception) as after_sale_days
    from buyer_days
    group by all
),

active_days as (
    select
        platform,
        shop_id,
        cast({{ dbt.date_trunc('month', 'reception_date') }} as date) as month_start_date,
        count(distinct reception_date) as active_day_count
    from buyer_days
    group by all
),

buyer_rollup as (
    select
        platform,
        shop_id,
        month_start_date,
        count(*) as consult_buyers,
        count(*) filter (where reception_days > 0) as reception_buyers,
        count(*) filter (where reception_days = 0) as filtered_buyers,
        count(*) filter (where inquiry_days > 0) as inquiry_buyers,
        count(*) filter (where after_sale_days > 0) as after_sale_buyers,
        sum(consult_days) as consult_buyer_days,
        sum(reception_days) as reception_buyer_days,
        sum(filtered_days) as filtered_buyer_days,
        sum(inquiry_days) as inquiry_buyer_days,
        sum(after_sale_days) as after_sale_buyer_days
    from buyer_months
    group by platform, shop_id, month_start_date
),

final as (
    select
        buyer_rollup.platform,
        buyer_rollup.shop_id,
        buyer_rollup.month_start_date,
        active_days.active_day_count,
        buyer_rollup.consult_buyers,
        buyer_rollup.reception_buyers,
        buyer_rollup.filtered_buyers,
        buyer_rollup.inquiry_buyers,
        buyer_rollup.after_sale_buyers,
        cast(buyer_rollup.consult_buyer_days as bigint) as consult_buyer_days,
        cast(buyer_rollup.reception_buyer_days as bigint) as reception_buyer_days,
        cast(buyer_rollup.filtered_buyer_days as bigint) as filtered_buyer_days,
        cast(buyer_rollup.inquiry_buyer_days as bigint) as inquiry_buyer_days,
        cast(buyer_rollup.after_sale_buyer_days as bigint) as after_sale_buyer_days
    from buyer_rollup
    inner join active_days
        on
            buyer_rollup.platform = active_days.platform
            and buyer_rollup.shop_id = active_days.shop_id
            and buyer_rollup.month_start_date = active_days.month_start_date
)

select * from final
