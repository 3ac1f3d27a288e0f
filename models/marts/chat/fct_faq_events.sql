{#-
    One row per FAQ assistant event (event_id): what a buyer did with a FAQ question (shown, clicked, resolved,
    transferred to a human, helpful, unhelpful). Duplicates, repeats of an event_id, unknown event types and unknown
    FAQ ids are already split off in staging (stg_kefu__rejects), so every event_id counts once.
    assistant_chat_key names the chat the assistant answered in (docs/metrics.md §6): buyer × session, or buyer ×
    business date when the event carries no session_id. A chat with at least one `shown` event is one trigger
    (触发次数).
-#}
with events as (
    select * from {{ ref('stg_kefu__faq_events') }}
),

questions as (
    select * from {{ ref('stg_kefu__faq_questions') }}
),

final as (
    select
        events.event_id,
        events.platform,
        events.shop_id,
        events.faq_id,
        questions.topic,
        events.session_id,
        events.event_type,
        events.occurred_at,
        cast(events.occurred_at as date) as event_date,
        events.buyer_key,
        case
            when events.session_id is not null
                then events.buyer_key || '|session:' || events.session_id
            else events.buyer_key || '|day:' || cast(cast(events.occurred_at as date) as string)
        end as assistant_chat_key
    from events
    left join questions
        on events.faq_id = questions.faq_id
)

select * from final
