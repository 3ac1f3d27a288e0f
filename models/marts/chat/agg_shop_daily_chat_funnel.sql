{#-
    One row per (platform, shop, business date) with visits or chats: the 聊聊 chat funnel (docs/metrics.md §6) for every
    platform, Shopee being the reference. visitors → chat buyers → replied within chat_reply_deadline_hours /
    unreplied → from replied chats: buyers who ordered in the chat's inquiry window, their orders, and the paid part
    (paying buyers, paid orders, units, sales). 转化率 (conversion_rate) = replied chats whose buyer ordered in the
    inquiry window ÷ replied chats (the platform's "已回复的聊聊中买家的订单量"; a chat is one buyer-day, so ordering
    buyers = ordering replied chats); chat_buyer_paid_rate keeps the earlier reading, paying buyers of replied chats
    ÷ all chat buyers. Rates are null when the denominator is 0; the rolling reply rate sums
    replied and chat buyers over the last rolling_reply_days days (not a mean of daily rates).
-#}
with chats as (
    select * from {{ ref('int_chats__daily') }}
),

visits as (
    select * from {{ ref('stg_kefu__visits') }}
),

orders as (
    select * from {{ ref('stg_kefu__orders') }}
),

visitor_days as (
    select
        platform,
        shop_id,
        cast(visited_at as date) as activity_date,
        count(distinct visitor_key) as visitor_count
    from visits
    group by platform, shop_id, cast(visited_at as date)
),

chat_orders as (
    -- orders of a replied chat's buyer at the shop created in the chat's inquiry window
    select
        chats.platform,
        chats.shop_id,
        chats.chat_date,
        chats.buyer_key,
        orders.order_id,
        orders.paid_at,
        orders.payment_amount,
        orders.item_quantity
    from chats
    {{ join_shop_rules('chats.platform', 'chats.shop_id', 'chats.chat_date', 'chat_rules') }}
    inner join orders
        on
            chats.platform = orders.platform
            and chats.shop_id = orders.shop_id
            and chats.buyer_key = orders.buyer_key
            and orders.created_at >= chats.first_buyer_message_at
            and orders.created_at
            < {{ inquiry_window_end('chats.chat_date', shop_rule('inquiry_valid_days', 'chat_rules')) }}
    where chats.is_replied_within_deadline
),

order_stats as (
    select
        platform,
        shop_id,
        chat_date as activity_date,
        count(distinct buyer_key) as ordering_buyer_count,
        count(distinct order_id) as order_count,
        count(distinct buyer_key) filter (where paid_at is not null) as paying_buyer_count,
        count(distinct order_id) filter (where paid_at is not null) as paid_order_count,
        coalesce(sum(item_quantity) filter (where paid_at is not null), 0) as sales_quantity,
        coalesce(sum(payment_amount) filter (where paid_at is not null), 0) as sales_amount
    from chat_orders
    group by platform, shop_id, chat_date
),

chat_stats as (
    select
        platform,
        shop_id,
        chat_date as activity_date,
        count(*) as chat_buyer_count,
        count(*) filter (where is_replied_within_deadline) as replied_chat_count,
        count(*) filter (where not is_replied_within_deadline) as unreplied_chat_count,
        avg(response_seconds) filter (where is_replied_within_deadline) as avg_response_seconds,
        sum(response_seconds) filter (where is_replied_within_deadline) as response_seconds_sum,
        {{ percentile_of('response_seconds', 0.5) }} filter (where is_replied_within_deadline)
            as median_response_seconds
    from chats
    group by platform, shop_id, chat_date
),

shop_days as (
    select platform, shop_id, activity_date from visitor_days
    union
    select platform, shop_id, activity_date from chat_stats
),

daily as (
    select
        shop_days.platform,
        shop_days.shop_id,
        shop_days.activity_date,
        coalesce(visitor_days.visitor_count, 0) as visitor_count,
        coalesce(chat_stats.chat_buyer_count, 0) as chat_buyer_count,
        coalesce(chat_stats.replied_chat_count, 0) as replied_chat_count,
        coalesce(chat_stats.unreplied_chat_count, 0) as unreplied_chat_count,
        chat_stats.avg_response_seconds,
        chat_stats.median_response_seconds,
        cast(coalesce(chat_stats.response_seconds_sum, 0) as double) as response_seconds_sum,
        coalesce(order_stats.ordering_buyer_count, 0) as ordering_buyer_count,
        coalesce(order_stats.order_count, 0) as order_count,
        coalesce(order_stats.paying_buyer_count, 0) as paying_buyer_count,
        coalesce(order_stats.paid_order_count, 0) as paid_order_count,
        cast(coalesce(order_stats.sales_quantity, 0) as bigint) as sales_quantity,
        coalesce(order_stats.sales_amount, 0) as sales_amount
    from shop_days
    left join visitor_days
        on
            shop_days.platform = visitor_days.platform
            and shop_days.shop_id = visitor_days.shop_id
            and shop_days.activity_date = visitor_days.activity_date
    left join chat_stats
        on
            shop_days.platform = chat_stats.platform
            and shop_days.shop_id = chat_stats.shop_id
            and shop_days.activity_date = chat_stats.activity_date
    left join order_stats
        on
            shop_days.platform = order_stats.platform
            and shop_days.shop_id = order_stats.shop_id
            and shop_days.activity_date = order_stats.activity_date
),

rolling as (
    select
        daily.platform,
        daily.shop_id,
        daily.activity_date,
        cast(sum(earlier.replied_chat_count) as bigint) as rolling_replied_chat_count,
        cast(sum(earlier.chat_buyer_count) as bigint) as rolling_chat_buyer_count,
        count(*) as rolling_reply_days_covered
    from daily
    inner join daily as earlier
        on
            daily.platform = earlier.platform
            and daily.shop_id = earlier.shop_id
            and earlier.activity_date <= daily.activity_date
            and earlier.activity_date
            > {{ dbt.dateadd('day', -var('rolling_reply_days'), 'daily.activity_date') }}
    group by daily.platform, daily.shop_id, daily.activity_date
),

final as (
    select
        daily.platform,
        daily.shop_id,
        daily.activity_date,
        daily.visitor_count,
        daily.chat_buyer_count,
        {{ metric_ratio('chat_inquiry_rate', 'daily') }} as inquiry_rate,
        daily.replied_chat_count,
        daily.unreplied_chat_count,
        {{ metric_ratio('chat_reply_rate', 'daily') }} as reply_rate,
        daily.avg_response_seconds,
        daily.median_response_seconds,
        daily.response_seconds_sum,
        daily.ordering_buyer_count,
        daily.order_count,
        daily.paying_buyer_count,
        daily.paid_order_count,
        daily.sales_quantity,
        daily.sales_amount,
        {{ metric_ratio('chat_conversion_rate', 'daily') }} as conversion_rate,
        rolling.rolling_replied_chat_count,
        rolling.rolling_chat_buyer_count,
        {{ metric_ratio('rolling_chat_reply_rate', 'rolling') }} as rolling_reply_rate,
        rolling.rolling_reply_days_covered,
        {{ metric_ratio('chat_buyer_paid_rate', 'daily') }} as chat_buyer_paid_rate
    from daily
    inner join rolling
        on
            daily.platform = rolling.platform
            and daily.shop_id = rolling.shop_id
            and daily.activity_date = rolling.activity_date
)

{{ select_with_shop_rules('final', 'final.activity_date', flag_shop_rule=false) }}
