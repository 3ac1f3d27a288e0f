{{ config(materialized='incremental', incremental_strategy='lookback', lookback_horizon='late_arrival',
          lookback_column='effective_date') }}

{#-
    One row per message in the human phase of a session that reached an agent (docs/metrics.md §1).
    Human phase = messages at or after human_joined_at (the whole session when it is null), plus the question the
    transfer carries: buyer messages after the last robot/system message and before human_joined_at, which count
    as sent at human_joined_at (effective_at). Robot-only sessions (agent_id null) are not here.
    Message content stays behind: only the ad-pattern flag of buyer messages leaves this model.
    replies_before: manual agent messages of the human phase earlier in the session (effective time, then id); the
    response rounds group by it (docs/performance.md "One pass over the messages").
-#}
{%- set ad_condition = ad_pattern_condition('messages.content',
                                            ad_pattern_rows(ref('stg_config__ad_patterns'))) %}

with sessions as (
    select * from {{ ref('stg_kefu__sessions') }}
    where agent_id is not null
),

messages as (
    select * from {{ ref('stg_kefu__messages') }}
),

{%- if is_incremental() %}
{{- require_columns(this, ['replies_before']) }}
recent_sessions as (
    -- on an incremental run, only sessions with a message (or a transfer) inside the look-back are recomputed
    -- (read from the model, not the CTE: a CTE read twice is materialized whole)
    select session_id from {{ ref('stg_kefu__messages') }}
    where {{ incremental_window('cast(sent_at as date)') }}
    union
    select session_id from sessions
    where {{ incremental_window('cast(human_joined_at as date)') }}
),
{%- endif %}

session_messages as (
    select
        messages.message_id,
        messages.session_id,
        messages.sent_at,
        messages.sender_role,
        messages.is_auto_reply,
        -- the ad flag before the session sort: the message text does not travel through it
        messages.sender_role = 'buyer' and {{ ad_condition }} as is_ad_match,
        sessions.platform,
        sessions.shop_id,
        sessions.agent_id,
        sessions.buyer_key,
        sessions.entry_point,
        sessions.human_joined_at
    from messages
    inner join sessions
        on messages.session_id = sessions.session_id
    {%- if is_incremental() %}
    inner join recent_sessions
        on messages.session_id = recent_sessions.session_id
    {%- endif %}
),

ordered as (
    -- One window pass per session, in the order the human phase counts its messages: effective time, then id.
    -- A message before the transfer that the human phase keeps is a carried question, counted at human_joined_at,
    -- so greatest(sent_at, human_joined_at) is its effective time (and every human-phase message's).
    --   last_bot_message_at: the last robot/system message before the transfer (the whole session: the same window);
    --   replies_before: manual agent messages of the human phase earlier in the session (fct_response_rounds groups
    --   a session's rounds by it).
    select
        session_messages.*,
        max(
            case
                when
                    session_messages.sender_role in ('robot', 'system')
                    and session_messages.sent_at < session_messages.human_joined_at
                    then session_messages.sent_at
            end
        ) over (
            partition by session_messages.session_id
            order by
                greatest(
                    session_messages.sent_at, coalesce(session_messages.human_joined_at, session_messages.sent_at)
                ),
                session_messages.message_id
            rows between unbounded preceding and unbounded following
        ) as last_bot_message_at,
        count(
            case
                when
                    session_messages.sender_role = 'agent'
                    and not session_messages.is_auto_reply
                    and (
                        session_messages.human_joined_at is null
                        or session_messages.sent_at >= session_messages.human_joined_at
                    )
                    then 1
            end
        ) over (
            partition by session_messages.session_id
            order by
                greatest(
                    session_messages.sent_at, coalesce(session_messages.human_joined_at, session_messages.sent_at)
                ),
                session_messages.message_id
            rows between unbounded preceding and 1 preceding
        ) as replies_before
    from session_messages
),

phased as (
    select
        *,
        case
            when human_joined_at is null then 'human'
            when sent_at >= human_joined_at then 'human'
            when
                sender_role = 'buyer'
                and (last_bot_message_at is null or sent_at > last_bot_message_at)
                then 'carried'
            else 'robot'
        end as phase
    from ordered
),

human_messages as (
    select
        *,
        case when phase = 'carried' then human_joined_at else sent_at end as effective_at
    from phased
    where phase in ('human', 'carried')
),

final as (
    select
        human_messages.message_id,
        human_messages.session_id,
        {{ reception_id('human_messages.platform', 'human_messages.shop_id', 'human_messages.agent_id',
                        'human_messages.buyer_key', 'cast(human_messages.effective_at as date)') }} as reception_id,
        human_messages.platform,
        human_messages.shop_id,
        human_messages.agent_id,
        human_messages.buyer_key,
        human_messages.entry_point,
        human_messages.sender_role,
        human_messages.is_auto_reply,
        human_messages.sender_role = 'buyer' as is_buyer_message,
        human_messages.sender_role = 'agent' and not human_messages.is_auto_reply as is_manual_agent_message,
        human_messages.phase = 'carried' as is_carried_question,
        human_messages.sent_at,
        human_messages.effective_at,
        cast(human_messages.effective_at as date) as effective_date,
        human_messages.is_ad_match,
        human_messages.replies_before
    from human_messages
    where {{ incremental_window('cast(human_messages.effective_at as date)') }}
)

select * from final
