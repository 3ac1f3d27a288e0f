-- Per agent-day: consult = reception + filtered, and consult = distinct buyers in fct_receptions
-- (a reception counted twice fails).
with facts as (
    select platform, shop_id, agent_id, reception_date, count(distinct buyer_key) as fact_receptions
    from {{ ref('fct_receptions') }}
    group by platform, shop_id, agent_id, reception_date
)

select agg.*, facts.fact_receptions
from {{ ref('agg_agent_daily_receptions') }} as agg
full outer join facts
    on
        agg.platform = facts.platform
        and agg.shop_id = facts.shop_id
        and agg.agent_id = facts.agent_id
        and agg.reception_date = facts.reception_date
where
    agg.consult_count is null
    or facts.fact_receptions is null
    or agg.consult_count <> agg.reception_count + agg.filtered_count
    or agg.consult_count <> facts.fact_receptions
    or agg.filtered_count <> agg.filtered_account_count + agg.filtered_ad_count
    + agg.filtered_single_line_count + agg.filtered_monologue_count
