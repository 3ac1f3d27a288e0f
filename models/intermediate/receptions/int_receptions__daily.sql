{{ config(materialized='incremental', incremental_strategy='lookback', lookback_horizon='late_arrival',
          lookback_column='reception_date') }}

{#-
    One row per reception: (platform, shop, agent, buyer, business date) with at least one buyer or manual agent
    message in the human phase dated that day (docs/metrics.md §1). Sessions crossing midnight give one reception per
    day. Counts, first message and the latest earlier buyer message to the same agent are prepared here;
    the rules (initiated_by, filters, inquiry) are applied in int_receptions__classified.
-#}
with human_phase as (
    select * from {{ ref('int_messages__human_phase') }}
),

messages as (
    select * from human_phase
    where (is_buyer_message or is_manual_agent_message) and {{ incremental_window('effective_date') }}
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
        count(*) filter (where is_buyer_message) as buyer_message_count,
        count(*) filter (where is_manual_agent_message) as agent_message_count,
        count(*) filter (where is_buyer_message and not is_ad_match) as non_ad_buyer_message_count,
        max(case when message_rank = 1 then session_id end) as first_session_id,
        max(case when message_rank = 1 then entry_point end) as first_entry_point,
        bool_or(message_rank = 1 and is_manual_agent_message) as starts_with_agent_message
    from ordered
    group by platform, shop_id, agent_id, buyer_key, effective_date
),

previous_buyer_messages as (
    -- the buyer's latest message to the same agent within followup_gap_hours before the reception's first message
    select
        receptions.platform,
        receptions.shop_id,
        receptions.agent_id,
        receptions.buyer_key,
        receptions.reception_date,
        max(human_phase.effective_at) as previous_buyer_message_at
    from receptions
    {{ join_shop_rules('receptions.platform', 'receptions.shop_id', 'receptions.reception_date') }}
    -- the table itself, not the human_phase CTE: a CTE read twice is materialised whole by DuckDB, which then
    -- scans every message of the history before the date filter of `messages` applies
    inner join {{ ref('int_messages__human_phase') }} as human_phase
        on
            receptions.platform = human_phase.platform
            and receptions.shop_id = human_phase.shop_id
            and receptions.agent_id = human_phase.agent_id
            and receptions.buyer_key = human_phase.buyer_key
            and human_phase.is_buyer_message
            and human_phase.effective_at < receptions.first_message_at
            and human_phase.effective_at
            >= {{ dbt.dateadd('hour', '-1 * ' ~ shop_rule('followup_gap_hours'), 'receptions.first_message_at') }}
    group by
        receptions.platform,
        receptions.shop_id,
        receptions.agent_id,
        receptions.buyer_key,
        receptions.reception_date
),

final as (
    select
        {{ reception_id('receptions.platform', 'receptions.shop_id', 'receptions.agent_id', 'receptions.buyer_key',
                        'receptions.reception_date') }} as reception_id,
        receptions.platform,
        receptions.shop_id,
        receptions.agent_id,
        receptions.buyer_key,
        receptions.reception_date,
        receptions.first_message_at,
        receptions.first_session_id,
        receptions.first_entry_point,
        receptions.starts_with_agent_message,
        receptions.buyer_message_count,
        receptions.agent_message_count,
        receptions.non_ad_buyer_message_count,
        receptions.last_buyer_message_at,
        previous_buyer_messages.previous_buyer_message_at
    from receptions
    left join previous_buyer_messages
        on
            receptions.platform = previous_buyer_messages.platform
            and receptions.shop_id = previous_buyer_messages.shop_id
            and receptions.agent_id = previous_buyer_messages.agent_id
            and receptions.buyer_key = previous_buyer_messages.buyer_key
            and receptions.reception_date = previous_buyer_messages.reception_date
)

select * from final
