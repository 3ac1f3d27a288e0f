{#-
    One row per (platform, shop, ISO weekday, hour of day) seen in the trailing staffing_weeks weeks that end on the
    last date with staffing hours, at most as_of − 1 (docs/metrics.md §10): the forecast arrivals of that weekday-hour (mean over the window's dates of that weekday
    with activity at the shop), its mean handle time, the shop's observed concurrency over the window, and from
    them the offered load and the agents Erlang C requires for the shop's target service level (rules in force on
    the window's last date), with the service level those agents reach; beside it the agents who were online on
    average and the gap.
-#}
with hourly as (
    select * from {{ ref('agg_shop_hourly_staffing') }}
),

concurrency as (
    select * from {{ ref('int_agent_sessions__concurrency') }}
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

window_end as (
    -- the last date with staffing hours, at most as_of − 1 (as_of may follow late payments by days)
    select least(max(hourly.load_date), max(cast({{ dbt.dateadd('day', -1, 'as_of.as_of_date') }} as date))) as end_date
    from hourly
    cross join as_of
),

plan_window as (
    select
        cast({{ dbt.dateadd('day', 1 - 7 * (var('staffing_weeks') | int), 'end_date') }} as date) as window_start_date,
        end_date as window_end_date
    from window_end
),

window_hours as (
    select
        hourly.*,
        plan_window.window_start_date,
        plan_window.window_end_date
    from hourly
    cross join plan_window
    where hourly.load_date between plan_window.window_start_date and plan_window.window_end_date
),

cells as (
    select
        platform,
        shop_id,
        weekday,
        hour_of_day,
        window_start_date,
        window_end_date,
        count(*) as observed_day_count,
        sum(arrival_count) as arrival_count,
        sum(handled_reception_count) as handled_reception_count,
        sum(handle_seconds) as handle_seconds,
        sum(online_agent_seconds) as online_agent_seconds
    from window_hours
    group by platform, shop_id, weekday, hour_of_day, window_start_date, window_end_date
),

shop_handle as (
    -- a weekday-hour whose arrivals got no reply in the window borrows the shop's mean handle time of the window
    select
        platform,
        shop_id,
        {{ metric_ratio('avg_handle_seconds', agg='sum') }} as avg_handle_seconds
    from cells
    group by platform, shop_id
),

shop_concurrency as (
    select
        concurrency.platform,
        concurrency.shop_id,
        round({{ metric_ratio('staffing_concurrency', 'concurrency', agg='sum') }}, 2)
            as concurrency
    from concurrency
    cross join plan_window
    where concurrency.load_date between plan_window.window_start_date and plan_window.window_end_date
    group by concurrency.platform, concurrency.shop_id
),

inputs as (
    select
        cells.platform,
        cells.shop_id,
        cells.weekday,
        cells.hour_of_day,
        cells.window_start_date,
        cells.window_end_date,
        cells.observed_day_count,
        cast(cells.arrival_count as bigint) as arrival_count,
        cast(cells.arrival_count as double) / cells.observed_day_count as forecast_arrival_count,
        coalesce(
            {{ metric_ratio('avg_handle_seconds', 'cells') }}, shop_handle.avg_handle_seconds
        ) as aht_seconds,
        greatest(coalesce(shop_concurrency.concurrency, 1.0), 1.0) as concurrency,
        cast(cells.online_agent_seconds as double) / 3600 / cells.observed_day_count as avg_online_agents,
        cast({{ shop_rule('response_deadline_seconds') }} as integer) as deadline_seconds,
        cast({{ shop_rule('staffing_service_level') }} as double) as target_service_level
    from cells
    left join shop_handle
        on
            cells.platform = shop_handle.platform
            and cells.shop_id = shop_handle.shop_id
    left join shop_concurrency
        on
            cells.platform = shop_concurrency.platform
            and cells.shop_id = shop_concurrency.shop_id
    {{ join_shop_rules('cells.platform', 'cells.shop_id', 'cells.window_end_date') }}
),

loads as (
    {{ staffing_loads('inputs', 'forecast_arrival_count') }}
),

staffed as (
    {{ erlang_staffing('loads', ['platform', 'shop_id', 'weekday', 'hour_of_day']) }}
),

final as (
    select
        platform,
        shop_id,
        weekday,
        hour_of_day,
        window_start_date,
        window_end_date,
        observed_day_count,
        arrival_count,
        forecast_arrival_count,
        aht_seconds,
        concurrency,
        offered_load_erlangs,
        deadline_seconds,
        target_service_level,
        required_server_count,
        required_agent_count,
        service_level_at_required,
        avg_online_agents,
        observed_server_count as online_server_count,
        online_service_level,
        avg_online_agents - required_agent_count as staffing_gap_agents,
        is_beyond_max_servers
    from staffed
)

select * from final
