{#-
    One row per (platform, shop, agent group, business date): the group's receptions and service. group_name is the
    agent's 分流分组 on that day (int_agents__roster_history, version in force at the day's end), so an agent who
    moves group mid-week counts in the old group before the move day and in the new group from it; agents missing
    from the roster fall in '未分组'. Receptions both ways: distinct buyers of the group that day (*_buyers, a buyer
    received by two agents of the group counts once) and the sum of the agents' receptions (*_count, as
    agg_agent_daily_receptions). Service: the numerators and denominators summed over the group's agents
    (agg_agent_daily_service) and the rates as Σ numerator ÷ Σ denominator.
-#}
with receptions as (
    select * from {{ ref('fct_receptions') }}
),

agent_receptions as (
    select * from {{ ref('agg_agent_daily_receptions') }}
),

agent_service as (
    select * from {{ ref('agg_agent_daily_service') }}
),

buyer_days as (
    select
        platform,
        shop_id,
        coalesce(group_name, '未分组') as group_name,
        reception_date,
        buyer_key,
        bool_or(not is_filtered) as has_reception,
        bool_or(is_inquiry) as has_inquiry
    from receptions
    group by platform, shop_id, coalesce(group_name, '未分组'), reception_date, buyer_key
),

buyer_stats as (
    select
        platform,
        shop_id,
        group_name,
        reception_date as business_date,
        count(*) as consult_buyers,
        count(*) filter (where has_reception) as reception_buyers,
        count(*) filter (where not has_reception) as filtered_buyers,
        count(*) filter (where has_inquiry) as inquiry_buyers
    from buyer_days
    group by platform, shop_id, group_name, reception_date
),

reception_stats as (
    select
        platform,
        shop_id,
        coalesce(group_name, '未分组') as group_name,
        reception_date as business_date,
        cast(sum(consult_count) as bigint) as consult_count,
        cast(sum(reception_count) as bigint) as reception_count,
        cast(sum(filtered_count) as bigint) as filtered_count,
        cast(sum(inquiry_count) as bigint) as inquiry_count
    from agent_receptions
    group by platform, shop_id, coalesce(group_name, '未分组'), reception_date
),

service_stats as (
    select
        platform,
        shop_id,
        coalesce(group_name, '未分组') as group_name,
        service_date as business_date,
        count(*) as agent_count,
        {{ service_figure_sums(with_slow_rounds=true) }}
    from agent_service
    group by platform, shop_id, coalesce(group_name, '未分组'), service_date
),

group_days as (
    select platform, shop_id, group_name, business_date from buyer_stats
    union
    select platform, shop_id, group_name, business_date from service_stats
),

final as (
    select
        group_days.platform,
        group_days.shop_id,
        group_days.group_name,
        group_days.business_date,
        coalesce(service_stats.agent_count, 0) as agent_count,
        coalesce(buyer_stats.consult_buyers, 0) as consult_buyers,
        coalesce(buyer_stats.reception_buyers, 0) as reception_buyers,
        coalesce(buyer_stats.filtered_buyers, 0) as filtered_buyers,
        coalesce(buyer_stats.inquiry_buyers, 0) as inquiry_buyers,
        coalesce(reception_stats.consult_count, 0) as consult_count,
        coalesce(reception_stats.reception_count, 0) as reception_count,
        coalesce(reception_stats.filtered_count, 0) as filtered_count,
        coalesce(reception_stats.inquiry_count, 0) as inquiry_count,
        coalesce(service_stats.replyable_reception_count, 0) as replyable_reception_count,
        coalesce(service_stats.replied_reception_count, 0) as replied_reception_count,
        {{ metric_ratio('reply_rate', 'service_stats') }}
            as reply_rate,
        coalesce(service_stats.assessment_round_count, 0) as assessment_round_count,
        coalesce(service_stats.assessment_rounds_within_deadline_count, 0) as assessment_rounds_within_deadline_count,
        {{ metric_ratio('three_minute_response_rate', 'service_stats') }} as three_minute_response_rate,
        coalesce(service_stats.first_response_seconds_sum, 0) as first_response_seconds_sum,
        coalesce(service_stats.first_response_count, 0) as first_response_count,
        {{ metric_ratio('avg_first_response_seconds', 'service_stats') }}
            as avg_first_response_seconds,
        coalesce(service_stats.answered_round_count, 0) as answered_round_count,
        coalesce(service_stats.total_response_seconds, 0) as total_response_seconds,
        {{ metric_ratio('avg_response_seconds', 'service_stats') }}
            as avg_response_seconds,
        coalesce(service_stats.slow_round_count, 0) as slow_round_count,
        coalesce(service_stats.rated_count, 0) as rated_count,
        coalesce(service_stats.satisfied_count, 0) as satisfied_count,
        {{ metric_ratio('satisfaction_rate', 'service_stats') }} as satisfaction_rate,
        coalesce(service_stats.feige_session_count, 0) as feige_session_count,
        coalesce(service_stats.feige_passed_session_count, 0) as feige_passed_session_count,
        {{ metric_ratio('feige_session_reply_rate', 'service_stats') }}
            as feige_session_reply_rate,
        coalesce(service_stats.online_seconds, 0) as online_seconds
    from group_days
    left join buyer_stats
        on
            group_days.platform = buyer_stats.platform
            and group_days.shop_id = buyer_stats.shop_id
            and group_days.group_name = buyer_stats.group_name
            and group_days.business_date = buyer_stats.business_date
    left join reception_stats
        on
            group_days.platform = reception_stats.platform
            and group_days.shop_id = reception_stats.shop_id
            and group_days.group_name = reception_stats.group_name
            and group_days.business_date = reception_stats.business_date
    left join service_stats
        on
            group_days.platform = service_stats.platform
            and group_days.shop_id = service_stats.shop_id
            and group_days.group_name = service_stats.group_name
            and group_days.business_date = service_stats.business_date
)

select * from final
