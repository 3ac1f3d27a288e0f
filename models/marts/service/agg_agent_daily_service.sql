{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='service_date') }}

{#-
    One row per (platform, shop, agent, business date) with any reception, round, status time or open session:
    responsiveness (docs/metrics.md §4), messages, evaluation and workload (§5). Rates are null when their
    denominator is 0.
    Incremental: the days from the look-back start on, each from its inputs of the same days.
-#}
with rounds as (
    select * from {{ ref('fct_response_rounds') }}
    where {{ incremental_window('round_date') }}
),

receptions as (
    select * from {{ ref('fct_reception_service') }}
    where {{ incremental_window('reception_date') }}
),

human_phase as (
    select * from {{ ref('int_messages__human_phase') }}
    where {{ incremental_window('effective_date') }}
),

robot_messages as (
    select * from {{ ref('int_messages__robot_by_agent') }}
    where {{ incremental_window('message_date') }}
),

status as (
    select * from {{ ref('int_agent_status__daily') }}
    where {{ incremental_window('status_date') }}
),

concurrency as (
    select * from {{ ref('int_agent_sessions__concurrency') }}
    where {{ incremental_window('load_date') }}
),

agents as (
    select * from {{ ref('stg_kefu__agents') }}
),

feige_sessions as (
    select * from {{ ref('fct_feige_sessions') }}
    where {{ incremental_window('session_date') }}
),

feige_stats as (
    select
        platform,
        shop_id,
        agent_id,
        session_date as service_date,
        count(*) as feige_session_count,
        count(*) filter (where is_passed) as feige_passed_session_count
    from feige_sessions
    group by platform, shop_id, agent_id, session_date
),

round_stats as (
    select
        rounds.platform,
        rounds.shop_id,
        rounds.agent_id,
        rounds.round_date as service_date,
        {{ round_measures('rounds') }}
    from rounds
    group by rounds.platform, rounds.shop_id, rounds.agent_id, rounds.round_date
),

reception_stats as (
    select
        receptions.platform,
        receptions.shop_id,
        receptions.agent_id,
        receptions.reception_date as service_date,
        {{ reception_measures('receptions') }}
    from receptions
    group by receptions.platform, receptions.shop_id, receptions.agent_id, receptions.reception_date
),

message_stats as (
    select
        platform,
        shop_id,
        agent_id,
        effective_date as service_date,
        count(*) filter (where is_buyer_message) as buyer_message_count,
        count(*) filter (where is_manual_agent_message) as manual_agent_message_count,
        count(*) filter (where sender_role = 'agent' and is_auto_reply) as auto_reply_message_count
    from human_phase
    group by platform, shop_id, agent_id, effective_date
),

agent_days as (
    select platform, shop_id, agent_id, service_date from round_stats
    union
    select platform, shop_id, agent_id, service_date from reception_stats
    union
    select platform, shop_id, agent_id, status_date from status
    union
    select platform, shop_id, agent_id, load_date from concurrency
),

final as (
    select
        agent_days.platform,
        agent_days.shop_id,
        agent_days.agent_id,
        agent_days.service_date,
        {{ response_columns('round_stats', 'reception_stats') }},
        coalesce(message_stats.buyer_message_count, 0) as buyer_message_count,
        coalesce(message_stats.manual_agent_message_count, 0) as manual_agent_message_count,
        coalesce(message_stats.auto_reply_message_count, 0) as auto_reply_message_count,
        coalesce(robot_messages.robot_message_count, 0) as robot_message_count,
        {{ metric_ratio('message_ratio', 'message_stats') }}
            as agent_to_buyer_message_ratio,
        coalesce(reception_stats.rated_count, 0) as rated_count,
        coalesce(reception_stats.satisfied_count, 0) as satisfied_count,
        {{ metric_ratio('satisfaction_rate', 'reception_stats') }} as satisfaction_rate,
        {{ metric_ratio('rating_rate', 'reception_stats') }} as rating_rate,
        cast(coalesce(status.online_seconds, 0) as bigint) as online_seconds,
        cast(coalesce(status.busy_seconds, 0) as bigint) as busy_seconds,
        cast(coalesce(concurrency.max_concurrent_sessions, 0) as bigint) as max_concurrent_sessions,
        cast(coalesce(concurrency.occupied_seconds, 0) as bigint) as occupied_seconds,
        cast(coalesce(concurrency.open_session_seconds, 0) as bigint) as open_session_seconds,
        agents.max_concurrent as max_concurrent_capacity,
        {{ metric_ratio('agent_occupancy_rate',
                        columns={'occupied_seconds': 'coalesce(concurrency.occupied_seconds, 0)',
                                 'online_seconds': 'status.online_seconds'}) }}
            as occupancy_rate,
        {{ metric_ratio('agent_concurrency_saturation_rate',
                        columns={'open_session_seconds': 'coalesce(concurrency.open_session_seconds, 0)',
                                 'capacity_seconds': 'status.online_seconds * agents.max_concurrent'}) }}
            as concurrency_saturation_rate,
        cast(status.online_seconds * agents.max_concurrent as bigint) as capacity_seconds,
        coalesce(feige_stats.feige_session_count, 0) as feige_session_count,
        coalesce(feige_stats.feige_passed_session_count, 0) as feige_passed_session_count,
        {{ metric_ratio('feige_session_reply_rate', 'feige_stats') }}
            as feige_session_reply_rate,
        {{ roster_of_day('group_name') }} as group_name,
        {{ roster_of_day('agent_name') }} as agent_name
    from agent_days
    left join round_stats
        on
            agent_days.agent_id = round_stats.agent_id
            and agent_days.service_date = round_stats.service_date
    left join reception_stats
        on
            agent_days.agent_id = reception_stats.agent_id
            and agent_days.service_date = reception_stats.service_date
    left join message_stats
        on
            agent_days.agent_id = message_stats.agent_id
            and agent_days.service_date = message_stats.service_date
    left join robot_messages
        on
            agent_days.agent_id = robot_messages.agent_id
            and agent_days.service_date = robot_messages.message_date
    left join status
        on
            agent_days.agent_id = status.agent_id
            and agent_days.service_date = status.status_date
    left join concurrency
        on
            agent_days.agent_id = concurrency.agent_id
            and agent_days.service_date = concurrency.load_date
    left join agents
        on agent_days.agent_id = agents.agent_id
    left join feige_stats
        on
            agent_days.platform = feige_stats.platform
            and agent_days.shop_id = feige_stats.shop_id
            and agent_days.agent_id = feige_stats.agent_id
            and agent_days.service_date = feige_stats.service_date
    {{ roster_of_day_joins('agent_days.platform', 'agent_days.shop_id', 'agent_days.agent_id',
                           'agent_days.service_date') }}
)

{{ select_with_shop_rules('final', 'final.service_date', flag_shop_rule=false) }}
