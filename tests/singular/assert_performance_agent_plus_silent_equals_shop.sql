-- 店铺绩效: per (shop, rule, date, scenario), agent + silent = shop for orders and amount.
select
    platform,
    shop_id,
    attribution_rule,
    performance_date,
    scenario,
    sum(case when source = 'shop' then orders else -orders end) as orders_gap,
    sum(case when source = 'shop' then coalesce(amount, 0) else -coalesce(amount, 0) end) as amount_gap
from {{ ref('agg_shop_daily_performance') }}
group by platform, shop_id, attribution_rule, performance_date, scenario
having
    sum(case when source = 'shop' then orders else -orders end) <> 0
    or sum(case when source = 'shop' then coalesce(amount, 0) else -coalesce(amount, 0) end) <> 0
