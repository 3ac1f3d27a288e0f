{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='load_date') }}
{#-
    One row per (platform, shop, hour) for all 24 hours of each business date with a reception or round at the shop
    (the hours of agg_shop_hourly_load), docs/metrics.md §10: the hour's arrivals (buyer-initiated unfiltered
    receptions by their first message), their handle time (per session first round start → last reply, summed), the
    share of them whose first round was answered within the deadline (achieved service level), the agents online
    (status time ÷ 3600) and the shop-day's observed concurrency; then Erlang C with servers = agents × concurrency:
    the agents the hour's load required for the target service level, the gap online − required, and the service
    level Erlang C expects from the agents who were online.
    Incremental: a run recomputes the dates from the look-back start on; every input of a date is dated on or after it
    (arrivals by their first message, their rounds by round start, online time by hour, concurrency by day).
-#}
with hours as (
    select * from {{ ref('agg_shop_hourly_load') }}
    where {{ incremental_window('load_date') }}
),

receptions as (
    select * from {{ ref('fct_reception_service') }}
    where {{ incremental_window('cast(first_message_at as date)') }}
),

rounds as (
    select * from {{ ref('fct_response_rounds') }}
    where {{ incremental_window('round_date') }}
),

online as (
    select * from {{ ref('int_agent_status__hourly') }}
    where {{ incremental_window('cast(hour_start_at as date)') }}
),

concurrency as (
    select * from {{ ref('int_agent_sessions__concurrency') }}
    where {{ incremental_window('load_date') }}
),

session_rounds as (
    -- the time a conversation holds one of the agent's slots: per session, first round start → last reply
    select
        reception_id,
        session_id,
        min(round_start_at) as first_round_start_at,
        max(replied_at) as last_replied_at
    from rounds
    group by reception_id, session_id
),

first_rounds as (
    -- whether the reception's first round was answered within the deadline (an unanswered first round is a miss)
    select
        reception_id,
        {{ arg_min_of('is_within_deadline', 'round_start_at') }} as is_first_round_within_deadline
    from rounds
    group by reception_id
),

reception_handles as (
    -- handle time summed over the reception's sessions: a buyer back in a later session that day is not one long
    -- conversation
    select
        reception_id,
        count(last_replied_at) as handled_session_count,
        sum({{ seconds_between('first_round_start_at', 'last_replied_at') }}) as handle_seconds
    from session_rounds
    group by reception_id
),

reception_rounds as (
    select
        first_rounds.reception_id,
        first_rounds.is_first_round_within_deadline,
        reception_handles.handled_session_count,
        reception_handles.handle_seconds
    from first_rounds
    inner join reception_handles
        on first_rounds.reception_id = reception_handles.reception_id
),

arrivals as (
    select
        receptions.platform,
        receptions.shop_id,
        {{ dbt.date_trunc('hour', 'receptions.first_message_at') }} as hour_start_at,
        count(*) as arrival_count,
        count(*) filter (where reception_rounds.handled_session_count > 0) as handled_reception_count,
        sum(reception_rounds.handle_seconds) as handle_seconds,
        count(*) filter (where reception_rounds.is_first_round_within_deadline) as first_reply_within_deadline_count
    from receptions
    left join reception_rounds
        on receptions.reception_id = reception_rounds.reception_id
    where not receptions.is_filtered and receptions.initiated_by = 'buyer'
    group by all
),

online_hours as (
    select
        platform,
        shop_id,
        hour_start_at,
        sum(online_seconds) as online_agent_seconds
    from online
    group by platform, shop_id, hour_start_at
),

shop_day_concurrency as (
    -- mean open sessions while an agent has any open (≥ 1 by construction), over the shop's agents that day
    select
        platform,
        shop_id,
        load_date,
        round({{ metric_ratio('staffing_concurrency', agg='sum') }}, 2) as concurrency
    from concurrency
    group by platform, shop_id, load_date
),

shop_day_handle as (
    -- an hour whose arrivals got no reply borrows the shop-day's mean handle time
    select
        platform,
        shop_id,
        cast(hour_start_at as date) as load_date,
        {{ metric_ratio('avg_handle_seconds', agg='sum') }} as avg_handle_seconds
    from arrivals
    group by platform, shop_id, cast(hour_start_at as date)
),

inputs as (
    select
        hours.platform,
        hours.shop_id,
        hours.hour_start_at,
        hours.load_date,
        coalesce(arrivals.arrival_count, 0) as arrival_count,
        coalesce(arrivals.handled_reception_count, 0) as handled_reception_count,
        cast(coalesce(arrivals.handle_seconds, 0) as bigint) as handle_seconds,
        coalesce(
            {{ metric_ratio('avg_handle_seconds', 'arrivals') }},
            shop_day_handle.avg_handle_seconds
        ) as aht_seconds,
        coalesce(arrivals.first_reply_within_deadline_count, 0) as first_reply_within_deadline_count,
        cast(coalesce(online_hours.online_agent_seconds, 0) as bigint) as online_agent_seconds,
        cast(coalesce(online_hours.online_agent_seconds, 0) as double) / 3600 as avg_online_agents,
        greatest(coalesce(shop_day_concurrency.concurrency, 1.0), 1.0) as concurrency,
        cast({{ shop_rule('response_deadline_seconds') }} as integer) as deadline_seconds,
        cast({{ shop_rule('staffing_service_level') }} as double) as target_service_level
    from hours
    left join arrivals
        on
            hours.platform = arrivals.platform
            and hours.shop_id = arrivals.shop_id
            and hours.hour_start_at = arrivals.hour_start_at
    left join online_hours
        on
            hours.platform = online_hours.platform
            and hours.shop_id = online_hours.shop_id
            and hours.hour_start_at = online_hours.hour_start_at
    left join shop_day_concurrency
        on
            hours.platform = shop_day_concurrency.platform
            and hours.shop_id = shop_day_concurrency.shop_id
            and hours.load_date = shop_day_concurrency.load_date
    left join shop_day_handle
        on
            hours.platform = shop_day_handle.platform
            and hours.shop_id = shop_day_handle.shop_id
            and hours.load_date = shop_day_handle.load_date
    {{ join_shop_rules('hours.platform', 'hours.shop_id', 'hours.load_date') }}
),

loads as (
    {{ staffing_loads('inputs', 'arrival_count') }}
),

staffed as (
    {{ erlang_staffing('loads', ['platform', 'shop_id', 'hour_start_at']) }}
),

final as (
    select
        platform,
        shop_id,
        hour_start_at,
        load_date,
        cast(hour(hour_start_at) as integer) as hour_of_day,
        {{ iso_weekday('load_date') }} as weekday,
        arrival_count,
        handled_reception_count,
        handle_seconds,
        aht_seconds,
        first_reply_within_deadline_count,
        {{ metric_ratio('achieved_service_level') }} as achieved_service_level,
        online_agent_seconds,
        avg_online_agents,
        concurrency,
        offered_load_erlangs,
        deadline_seconds,
        target_service_level,
        required_server_count,
        required_agent_count,
        service_level_at_required,
        observed_server_count as online_server_count,
        online_service_level,
        avg_online_agents - required_agent_count as staffing_gap_agents,
        is_beyond_max_servers
    from staffed
)

select * from final
