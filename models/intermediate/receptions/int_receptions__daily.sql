{#-
    One row per reception: (platform, shop, agent, buyer, business date) with at least one buyer or manual agent
    message in the human phase dated that day (metrics.md §1). Sessions crossing midnight give one reception per
    day. Counts, first message and the latest earlier buyer message to the same agent are prepared here;
    the rules (initiated_by, filters, inquiry) are applied in int_receptions__classified.
-#}
with messages as (
    select * from {{ ref('int_messages__human_phase') }}
    where is_buyer_message or is_manual_agent_message
),

ordered as (
    select
        *,
        row_number() over (
            partition by platform, shop_id, agent_id, buyer_key, effective_date
            order by effective_at, case when is_buyer_message then 0 else 1 end, message_id
        ) as message_rank
    from messages
),

receptions as (
    select
        platform,
        shop_id,
        agent_id,
        buyer_key,
        effective_date as reception_date,
        min(effective_at) as first_message_at,
        max(case when is_buyer_message then effective_at end) as last_buyer_message_at,
        sum(case when is_buyer_message then 1 else 0 end) as buyer_message_count,
        sum(case when is_manual_agent_message then 1 else 0 end) as agent_message_count,
        sum(case when is_buyer_message and not is_ad_match then 1 else 0 end) as non_ad_buyer_message_count,
        max(case when message_rank = 1 then session_id end) as first_session_id,
        max(case when message_rank = 1 then entry_point end) as first_entry_point,
        bool_or(message_rank = 1 and is_manual_agent_message) as starts_with_agent_message
    from ordered
    group by platform, shop_id, agent_id, buyer_key, effective_date
),

final as (
    select
        {{ reception_id('platform', 'shop_id', 'agent_id', 'buyer_key', 'reception_date') }} as reception_id,
        platform,
        shop_id,
        agent_id,
        buyer_key,
        reception_date,
        first_message_at,
        first_session_id,
        first_entry_point,
        starts_with_agent_message,
        buyer_message_count,
        agent_message_count,
        non_ad_buyer_message_count,
        last_buyer_message_at,
        max(last_buyer_message_at) over (
            partition by platform, shop_id, agent_id, buyer_key
            order by reception_date
            rows between unbounded preceding and 1 preceding
        ) as previous_buyer_message_at
    from receptions
)

select * from final
