{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='load_date') }}

{#-
    One row per (platform, shop, hour) for every hour of a business date with any reception or round at the shop —
    what a live wall screen (客服大屏 / 实时监控) reads: new (unfiltered) receptions by first message, human-phase buyer
    messages, rounds answered in the hour and their mean response, and buyers waiting (a round started and not yet
    answered) at the end of the hour.
    Incremental: the days from the look-back start on, from their inputs of the same days (rounds started or
    answered on them, waits reaching into them).
-#}
with receptions as (
    select * from {{ ref('int_receptions__classified') }}
    where {{ incremental_window('reception_date') }}
),

human_phase as (
    select * from {{ ref('int_messages__human_phase') }}
    where {{ incremental_window('effective_date') }}
),

rounds as (
    select * from {{ ref('fct_response_rounds') }}
    where {{ incremental_window('cast(coalesce(replied_at, round_start_at) as date)') }}
),

waiting as (
    select * from {{ ref('int_rounds__waiting') }}
    where {{ incremental_window('wait_date') }}
),

hours_of_day as (
    {%- for hour in range(24) %}
    select {{ hour }} as hour_of_day{{ ' union all' if not loop.last }}
    {%- endfor %}
),

shop_days as (
    select platform, shop_id, reception_date as load_date from receptions
    union
    select platform, shop_id, round_date from rounds
),

shop_hours as (
    select
        shop_days.platform,
        shop_days.shop_id,
        {{ dbt.dateadd('hour', 'hours_of_day.hour_of_day', day_start('shop_days.load_date')) }} as hour_start_at
    from shop_days
    cross join hours_of_day
),

new_receptions as (
    select
        platform,
        shop_id,
        {{ dbt.date_trunc('hour', 'first_message_at') }} as hour_start_at,
        count(*) as new_reception_count
    from receptions
    where not is_filtered
    group by all
),

buyer_messages as (
    select
        platform,
        shop_id,
        {{ dbt.date_trunc('hour', 'effective_at') }} as hour_start_at,
        count(*) as buyer_message_count
    from human_phase
    where is_buyer_message
    group by all
),

answered as (
    select
        platform,
        shop_id,
        {{ dbt.date_trunc('hour', 'replied_at') }} as hour_start_at,
        count(*) as answered_round_count,
        avg(response_seconds) as avg_response_seconds
    from rounds
    where is_answered
    group by all
),

waiting_marks as (
    -- each waiting span, once per full hour mark inside it: the hour ends at which that buyer was waiting
    select
        platform,
        shop_id,
        buyer_key,
        round_wait_end_at,
        {{ hour_marks('round_wait_start_at', 'round_wait_end_at') }} as hour_end_at
    from waiting
),

waiting_at_hour_end as (
    select
        platform,
        shop_id,
        {{ dbt.dateadd('hour', -1, 'hour_end_at') }} as hour_start_at,
        count(distinct buyer_key) as waiting_buyer_count
    from waiting_marks
    where hour_end_at < round_wait_end_at
    group by all
),

final as (
    select
        shop_hours.platform,
        shop_hours.shop_id,
        cast(shop_hours.hour_start_at as timestamp) as hour_start_at,
        cast(shop_hours.hour_start_at as date) as load_date,
        coalesce(new_receptions.new_reception_count, 0) as new_reception_count,
        coalesce(buyer_messages.buyer_message_count, 0) as buyer_message_count,
        coalesce(answered.answered_round_count, 0) as answered_round_count,
        answered.avg_response_seconds,
        coalesce(waiting_at_hour_end.waiting_buyer_count, 0) as waiting_buyer_count
    from shop_hours
    left join new_receptions
        on
            shop_hours.platform = new_receptions.platform
            and shop_hours.shop_id = new_receptions.shop_id
            and shop_hours.hour_start_at = new_receptions.hour_start_at
    left join buyer_messages
        on
            shop_hours.platform = buyer_messages.platform
            and shop_hours.shop_id = buyer_messages.shop_id
            and shop_hours.hour_start_at = buyer_messages.hour_start_at
    left join answered
        on
            shop_hours.platform = answered.platform
            and shop_hours.shop_id = answered.shop_id
            and shop_hours.hour_start_at = answered.hour_start_at
    left join waiting_at_hour_end
        on
            shop_hours.platform = waiting_at_hour_end.platform
            and shop_hours.shop_id = waiting_at_hour_end.shop_id
            and shop_hours.hour_start_at = waiting_at_hour_end.hour_start_at
)

select * from final
where {{ incremental_window('load_date') }}
