{#-
    More agents never lower the service level (docs/metrics.md §10). Returns violations of:
    (1) Erlang C over the inputs of every staffing row: the service level with N + 1 servers is below the one with N;
    (2) a row whose online servers reach the required agents' servers shows a lower online service level than the
    service level at the required agents. 1e-12 of slack for sums of doubles. A daily run checks the hourly rows it
    recomputed (the plan's whole table is small).
-#}
with plan_inputs as (
    select
        'plan' as source_mart,
        platform,
        shop_id,
        cast(weekday * 100 + hour_of_day as bigint) as row_key,
        offered_load_erlangs,
        aht_seconds,
        deadline_seconds,
        concurrency,
        online_server_count as observed_server_count
    from {{ ref('agg_shop_staffing_plan') }}
),

hourly_inputs as (
    select
        'hourly' as source_mart,
        platform,
        shop_id,
        cast({{ epoch_seconds('hour_start_at') }} as bigint) as row_key,
        offered_load_erlangs,
        aht_seconds,
        deadline_seconds,
        concurrency,
        online_server_count as observed_server_count
    from {{ ref('agg_shop_hourly_staffing') }}
    -- in a daily run: the hours the run recomputed (macros/test_scope.sql)
    where {{ test_scope_filter(ref('agg_shop_hourly_staffing')) or 'true' }}
),

staffing_inputs as (
    select * from plan_inputs
    union all
    select * from hourly_inputs
),

service_levels as (
    {{ erlang_service_levels('staffing_inputs', ['source_mart', 'platform', 'shop_id', 'row_key']) }}
),

steps as (
    select
        source_mart,
        platform,
        shop_id,
        row_key,
        server_count,
        service_level,
        lag(service_level) over (
            partition by source_mart, platform, shop_id, row_key order by server_count
        ) as previous_service_level
    from service_levels
),

curve_violations as (
    select
        source_mart,
        platform,
        shop_id,
        row_key,
        server_count,
        service_level,
        previous_service_level
    from steps
    where service_level < previous_service_level - 0.000000000001
),

staffed_rows as (
    select
        'plan' as source_mart, platform, shop_id, cast(weekday * 100 + hour_of_day as bigint) as row_key,
        online_server_count, required_agent_count, concurrency, online_service_level, service_level_at_required
    from {{ ref('agg_shop_staffing_plan') }}
    union all
    select
        'hourly' as source_mart, platform, shop_id, cast({{ epoch_seconds('hour_start_at') }} as bigint) as row_key,
        online_server_count, required_agent_count, concurrency, online_service_level, service_level_at_required
    from {{ ref('agg_shop_hourly_staffing') }}
    where {{ test_scope_filter(ref('agg_shop_hourly_staffing')) or 'true' }}
),

row_violations as (
    select
        source_mart,
        platform,
        shop_id,
        row_key,
        online_server_count as server_count,
        online_service_level as service_level,
        service_level_at_required as previous_service_level
    from staffed_rows
    where
        online_server_count >= floor(required_agent_count * concurrency + {{ staffing_epsilon() }})
        and online_service_level < service_level_at_required - 0.000000000001
)

select * from curve_violations
union all
select * from row_violations
