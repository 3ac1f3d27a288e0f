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

waiting_chats as (
    -- the chats whose reply is looked for among these messages
    select
        platform,
        shop_id,
        buyer_key,
        chat_date,
        first_buyer_message_at,
        true as is_recomputed
    from chats
    {%- if is_incremental() %}

    union all

    -- earlier chats still unreplied, or replied inside the look-back (a late message may come first)
    select
        platform,
        shop_id,
        buyer_key,
        chat_date,
        first_buyer_message_at,
        false as is_recomputed
    from {{ this }}
    where
        not {{ incremental_window('chat_date') }}
        and (replied_at is null or {{ incremental_window('cast(replied_at as date)') }})
    {%- endif %}
),

replies as (
    select
        waiting_chats.platform,
        waiting_chats.shop_id,
        waiting_chats.buyer_key,
        waiting_chats.chat_date,
        min(message_stream.sent_at) as replied_at
    from waiting_chats
    inner join message_stream
        on
            waiting_chats.platform = message_stream.platform
            and waiting_chats.shop_id = message_stream.shop_id
            and waiting_chats.buyer_key = message_stream.buyer_key
            and not message_stream.is_buyer_message
            and message_stream.sent_at >= waiting_chats.first_buyer_message_at
    group by waiting_chats.platform, waiting_chats.shop_id, waiting_chats.buyer_key, waiting_chats.chat_date
),

replied_chats as (
    -- every recomputed chat; an earlier one only when it got its (first) reply here
    select
        waiting_chats.platform,
        waiting_chats.shop_id,
        waiting_chats.buyer_key,
        waiting_chats.chat_date,
        waiting_chats.first_buyer_message_at,
        replies.replied_at
    from waiting_chats
    left join replies
        on
            waiting_chats.platform = replies.platform
            and waiting_chats.shop_id = replies.shop_id
            and waiting_chats.buyer_key = replies.buyer_key
            and waiting_chats.chat_date = replies.chat_date
    where waiting_chats.is_recomputed or replies.replied_at is not null
),

final as (
    select
        chat.platform,
        chat.shop_id,
        chat.buyer_key,
        chat.chat_date,
        chat.first_buyer_message_at,
        chat.replied_at,
        {{ seconds_between('chat.first_buyer_message_at', 'chat.replied_at') }} as response_seconds,
        coalesce(
            chat.replied_at
            <= {{ dbt.dateadd('hour', shop_rule('chat_reply_deadline_hours'), 'chat.first_buyer_message_at') }},
            false
        ) as is_replied_within_deadline
    from replied_chats as chat
    {{ join_shop_rules('chat.platform', 'chat.shop_id', 'chat.chat_date') }}
)

select * from final
