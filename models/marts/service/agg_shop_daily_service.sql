{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='service_date') }}

{#-
    One row per (platform, shop, business date): the agent-day service figures at shop level (responses recomputed
    over the shop's rounds and receptions, messages and workload summed over agents), the 飞鸽 3分钟人工回复率
    (session and round, computed for every platform; Douyin's own dashboard is the reference) and the robot's
    hand-off figures by session start date.
    The 飞鸽 sessions are fct_feige_sessions'. Incremental: the days from the look-back start on, each from its
    inputs of the same days.
-#}
with rounds as (
    select * from {{ ref('fct_response_rounds') }}
    where {{ incremental_window('round_date') }}
),

receptions as (
    select * from {{ ref('fct_reception_service') }}
    where {{ incremental_window('reception_date') }}
),

agent_days as (
    select * from {{ ref('agg_agent_daily_service') }}
    where {{ incremental_window('service_date') }}
),

sessions as (
    select * from {{ ref('stg_kefu__sessions') }}
    where {{ incremental_window('cast(started_at as date)') }}
),

feige_sessions as (
    select * from {{ ref('fct_feige_sessions') }}
    where {{ incremental_window('session_date') }}
),

round_stats as (
    select
        rounds.platform,
        rounds.shop_id,
        rounds.round_date as service_date,
        {{ round_measures('rounds') }}
    from rounds
    group by rounds.platform, rounds.shop_id, rounds.round_date
),

reception_stats as (
    select
        receptions.platform,
        receptions.shop_id,
        receptions.reception_date as service_date,
        {{ reception_measures('receptions') }}
    from receptions
    group by receptions.platform, receptions.shop_id, receptions.reception_date
),

agent_sums as (
    select
        platform,
        shop_id,
        service_date,
        cast(sum(buyer_message_count) as bigint) as buyer_message_count,
        cast(sum(manual_agent_message_count) as bigint) as manual_agent_message_count,
        cast(sum(auto_reply_message_count) as bigint) as auto_reply_message_count,
        cast(sum(robot_message_count) as bigint) as robot_message_count,
        cast(sum(online_seconds) as bigint) as online_seconds,
        cast(sum(busy_seconds) as bigint) as busy_seconds,
        cast(sum(occupied_seconds) as bigint) as occupied_seconds,
        sum(open_session_seconds) as open_session_seconds,
        cast(max(max_concurrent_sessions) as bigint) as max_agent_concurrent_sessions
    from agent_days
    group by platform, shop_id, service_date
),

feige_stats as (
    select
        platform,
        shop_id,
        session_date as service_date,
        count(*) as feige_session_count,
        count(*) filter (where is_passed) as feige_passed_session_count
    from feige_sessions
    group by platform, shop_id, session_date
),

feige_round_stats as (
    select
        platform,
        shop_id,
        round_date as service_date,
        count(*) as feige_round_count,
        count(*) filter (where is_within_deadline) as feige_rounds_within_deadline_count
    from rounds
    where is_in_douyin_window
    group by platform, shop_id, round_date
),

robot_stats as (
    select
        platform,
        shop_id,
        cast(started_at as date) as service_date,
        count(*) filter (where agent_id is null) as robot_only_session_count,
        count(*) filter (where agent_id is not null and human_joined_at is not null) as transferred_session_count
    from sessions
    group by platform, shop_id, cast(started_at as date)
),

shop_days as (
    select platform, shop_id, service_date from agent_sums
    union
    select platform, shop_id, service_date from robot_stats
    union
    select platform, shop_id, service_date from feige_stats
),

final as (
    select
        shop_days.platform,
        shop_days.shop_id,
        shop_days.service_date,
        {{ response_columns('round_stats', 'reception_stats') }},
        coalesce(feige_stats.feige_session_count, 0) as feige_session_count,
        coalesce(feige_stats.feige_passed_session_count, 0) as feige_passed_session_count,
        {{ metric_ratio('feige_session_reply_rate', 'feige_stats') }}
            as feige_session_reply_rate,
        coalesce(feige_round_stats.feige_round_count, 0) as feige_round_count,
        coalesce(feige_round_stats.feige_rounds_within_deadline_count, 0) as feige_rounds_within_deadline_count,
        {{ metric_ratio('feige_round_reply_rate', 'feige_round_stats') }} as feige_round_reply_rate,
        coalesce(agent_sums.buyer_message_count, 0) as buyer_message_count,
        coalesce(agent_sums.manual_agent_message_count, 0) as manual_agent_message_count,
        coalesce(agent_sums.auto_reply_message_count, 0) as auto_reply_message_count,
        coalesce(agent_sums.robot_message_count, 0) as robot_message_count,
        {{ metric_ratio('message_ratio', 'agent_sums') }}
            as agent_to_buyer_message_ratio,
        coalesce(reception_stats.rated_count, 0) as rated_count,
        coalesce(reception_stats.satisfied_count, 0) as satisfied_count,
        {{ metric_ratio('satisfaction_rate', 'reception_stats') }} as satisfaction_rate,
        {{ metric_ratio('rating_rate', 'reception_stats') }} as rating_rate,
        coalesce(agent_sums.online_seconds, 0) as online_seconds,
        coalesce(agent_sums.busy_seconds, 0) as busy_seconds,
        coalesce(agent_sums.occupied_seconds, 0) as occupied_seconds,
        coalesce(agent_sums.max_agent_concurrent_sessions, 0) as max_agent_concurrent_sessions,
        {{ metric_ratio('agent_occupancy_rate', 'agent_sums') }} as occupancy_rate,
        coalesce(robot_stats.robot_only_session_count, 0) as robot_only_session_count,
        coalesce(robot_stats.transferred_session_count, 0) as transferred_session_count,
        {{ metric_ratio('robot_resolved_share', 'robot_stats') }} as robot_resolved_share
    from shop_days
    left join round_stats
        on
            shop_days.platform = round_stats.platform
            and shop_days.shop_id = round_stats.shop_id
            and shop_days.service_date = round_stats.service_date
    left join reception_stats
        on
            shop_days.platform = reception_stats.platform
            and shop_days.shop_id = reception_stats.shop_id
            and shop_days.service_date = reception_stats.service_date
    left join agent_sums
        on
            shop_days.platform = agent_sums.platform
            and shop_days.shop_id = agent_sums.shop_id
            and shop_days.service_date = agent_sums.service_date
    left join feige_stats
        on
            shop_days.platform = feige_stats.platform
            and shop_days.shop_id = feige_stats.shop_id
            and shop_days.service_date = feige_stats.service_date
    left join feige_round_stats
        on
            shop_days.platform = feige_round_stats.platform
            and shop_days.shop_id = feige_round_stats.shop_id
            and shop_days.service_date = feige_round_stats.service_date
    left join robot_stats
        on
            shop_days.platform = robot_stats.platform
            and shop_days.shop_id = robot_stats.shop_id
            and shop_days.service_date = robot_stats.service_date
)

{{ select_with_shop_rules('final', 'final.service_date', flag_shop_rule=false) }}
