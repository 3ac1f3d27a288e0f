-- Answered rounds never exceed rounds, replied receptions never exceed replyable ones, and the shop's rounds equal
-- the sum of its agents' rounds (every round belongs to one agent).
with agent_sums as (
    select
        platform,
        shop_id,
        service_date,
        sum(round_count) as round_count,
        sum(answered_round_count) as answered_round_count
    from {{ ref('agg_agent_daily_service') }}
    group by all
)

select
    'shop' as grain,
    shop.platform,
    shop.shop_id,
    shop.service_date,
    shop.round_count,
    shop.answered_round_count,
    agent_sums.round_count as agent_round_count
from {{ ref('agg_shop_daily_service') }} as shop
left join agent_sums
    on
        shop.platform = agent_sums.platform
        and shop.shop_id = agent_sums.shop_id
        and shop.service_date = agent_sums.service_date
where
    shop.answered_round_count > shop.round_count
    or shop.replied_reception_count > shop.replyable_reception_count
    or shop.assessment_rounds_within_deadline_count > shop.assessment_round_count
    or shop.round_count <> coalesce(agent_sums.round_count, 0)
    or shop.answered_round_count <> coalesce(agent_sums.answered_round_count, 0)

union all

select
    'agent' as grain,
    platform,
    shop_id,
    service_date,
    round_count,
    answered_round_count,
    null as agent_round_count
from {{ ref('agg_agent_daily_service') }}
where
    answered_round_count > round_count
    or replied_reception_count > replyable_reception_count
    or assessment_rounds_within_deadline_count > assessment_round_count
    or slow_round_count > answered_round_count
