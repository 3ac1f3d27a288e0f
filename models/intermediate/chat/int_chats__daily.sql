{#-
    One row per chat (docs/metrics.md §6): a (platform, shop, buyer, business date) where the buyer sent at least one
    message in any session of the shop that day and spoke first (before any manual agent message to them that day).
    Robot, system and auto-reply messages neither start nor answer a chat. The reply is the first manual agent message
    to the buyer at the shop after the chat's first buyer message (it may come the next day); replied_within_deadline
    = within chat_reply_deadline_hours.
    Incremental by chat_date (a day's chats depend on messages only: look-back late_arrival_days): the chats from the
    look-back start are recomputed, and an earlier chat still waiting for its reply (or whose reply falls inside the
    look-back, where a late message may come first) takes the first reply among the recomputed days' messages; every
    message before the start was already there when that chat was last written.
-#}
{{ config(materialized='incremental', incremental_strategy='lookback', lookback_horizon='late_arrival',
          lookback_column='chat_date', unique_key=['platform', 'shop_id', 'buyer_key', 'chat_date']) }}

with messages as (
    select * from {{ ref('stg_kefu__messages') }}
    where {{ incremental_window('cast(sent_at as date)') }}
),

sessions as (
    select * from {{ ref('stg_kefu__sessions') }}
),

message_stream as (
    select
        sessions.platform,
        sessions.shop_id,
        sessions.buyer_key,
        messages.sent_at,
        messages.sender_role = 'buyer' as is_buyer_message
    from messages
    inner join sessions
        on messages.session_id = sessions.session_id
    where messages.sender_role = 'buyer' or (messages.sender_role = 'agent' and not messages.is_auto_reply)
),

buyer_days as (
    select
        platform,
        shop_id,
        buyer_key,
        cast(sent_at as date) as chat_date,
        min(sent_at) filter (where is_buyer_message) as first_buyer_message_at,
        min(sent_at) filter (where not is_buyer_message) as first_agent_message_at
    from message_stream
    group by platform, shop_id, buyer_key, cast(sent_at as date)
),

chats as (
    select * from buyer_days
    where
        first_buyer_message_at is not null
        and (first_agent_message_at is null or first_agent_message_at > first_buyer_message_at)
),

replies as (
    select
        chats.platform,
        chats.shop_id,
        chats.buyer_key,
        chats.chat_date,
        min(message_stream.sent_at) as replied_at
    from chats
    inner join message_stream
        on
            chats.platform = message_stream.platform
            and chats.shop_id = message_stream.shop_id
            and chats.buyer_key = message_stream.buyer_key
            and not message_stream.is_buyer_message
            and message_stream.sent_at >= chats.first_buyer_message_at
    group by chats.platform, chats.shop_id, chats.buyer_key, chats.chat_date
),

replied_chats as (
    select
        chats.platform,
        chats.shop_id,
        chats.buyer_key,
        chats.chat_date,
        chats.first_buyer_message_at,
        replies.replied_at
    from chats
    left join replies
        on
            chats.platform = replies.platform
            and chats.shop_id = replies.shop_id
            and chats.buyer_key = replies.buyer_key
            and chats.chat_date = replies.chat_date
    {%- if is_incremental() %}

    union all

    -- earlier chats whose reply may be among the recomputed messages
    select
        earlier.platform,
        earlier.shop_id,
        earlier.buyer_key,
        earlier.chat_date,
        earlier.first_buyer_message_at,
        min(message_stream.sent_at) as replied_at
    from {{ this }} as earlier
    inner join message_stream
        on
            earlier.platform = message_stream.platform
            and earlier.shop_id = message_stream.shop_id
            and earlier.buyer_key = message_stream.buyer_key
            and not message_stream.is_buyer_message
            and message_stream.sent_at >= earlier.first_buyer_message_at
    where
        not {{ incremental_window('earlier.chat_date') }}
        and (earlier.replied_at is null or {{ incremental_window('cast(earlier.replied_at as date)') }})
    group by
        earlier.platform, earlier.shop_id, earlier.buyer_key, earlier.chat_date, earlier.first_buyer_message_at
    {%- endif %}
),

final as (
    select
        replied_chats.platform,
        replied_chats.shop_id,
        replied_chats.buyer_key,
        replied_chats.chat_date,
        replied_chats.first_buyer_message_at,
        replied_chats.replied_at,
        {{ seconds_between('replied_chats.first_buyer_message_at', 'replied_chats.replied_at') }} as response_seconds,
        coalesce(
            replied_chats.replied_at
            <= {{ dbt.dateadd('hour', shop_rule('chat_reply_deadline_hours'), 'replied_chats.first_buyer_message_at') }},
            false
        ) as is_replied_within_deadline
    from replied_chats
    {{ join_shop_rules('replied_chats.platform', 'replied_chats.shop_id', 'replied_chats.chat_date') }}
)

select * from final
