{#-
    One row per FAQ assistant event (event_id): what a buyer did with a FAQ question (shown, clicked, resolved,
    transferred to a human, helpful, unhelpful). Duplicates, repeats of an event_id, unknown event types and unknown
    FAQ ids are already split off in staging (stg_kefu__rejects), so every event_id counts once.
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
        cast(events.occurred_at as date) as event_date
    from events
    left join questions
        on events.faq_id = questions.faq_id
)

select * from final
