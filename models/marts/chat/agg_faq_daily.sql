{#-
    One row per (platform, shop, FAQ question, business date) with events or triggers, plus one shop-day total row
    per shop-day (faq_id = 'all', is_shop_total) — the FAQ assistant figures of docs/metrics.md §6.
    A trigger (触发次数) is an assistant chat (fct_faq_events.assistant_chat_key: buyer × session, or buyer × day
    without a session) with at least one `shown` event, dated by its first `shown` event.
    * shop total: trigger_count = triggers; clicked_trigger_count = triggers in which the buyer clicked any question;
      click_through_rate (点击率) = clicked_trigger_count ÷ trigger_count (≤ 1).
    * question row: trigger_count = triggers in which the question was shown (dated by its first `shown` there);
      clicked_trigger_count = those in which it was also clicked; click_through_rate = their ratio (≤ 1).
    Event counts by event date, each event_id once: shown_count (times shown), click_count, resolved, transferred,
    helpful, unhelpful; resolution rate = resolved ÷ (resolved + transferred); effectiveness = helpful ÷ (helpful +
    unhelpful). Rates null when the denominator is 0. transfer_rank ranks the shop-day's questions by transfers to
    a human (1 = most; ties → faq_id; null without transfers and on total rows).
-#}
with events as (
    select * from {{ ref('fct_faq_events') }}
),

{%- set event_measures -%}
        count(distinct case when event_type = 'shown' then event_id end) as shown_count,
        count(distinct case when event_type = 'clicked' then event_id end) as click_count,
        count(distinct case when event_type = 'resolved' then event_id end) as resolved_count,
        count(distinct case when event_type = 'transferred' then event_id end) as transferred_count,
        count(distinct case when event_type = 'helpful' then event_id end) as helpful_count,
        count(distinct case when event_type = 'unhelpful' then event_id end) as unhelpful_count,
        0 as trigger_count,
        0 as clicked_trigger_count
{%- endset %}

{%- set trigger_measures -%}
        0 as shown_count,
        0 as click_count,
        0 as resolved_count,
        0 as transferred_count,
        0 as helpful_count,
        0 as unhelpful_count,
        count(*) as trigger_count,
        count(*) filter (where is_clicked) as clicked_trigger_count
{%- endset %}

triggers as (
    -- one row per trigger: an assistant chat with a `shown` event
    select
        platform,
        shop_id,
        assistant_chat_key,
        cast(min(occurred_at) filter (where event_type = 'shown') as date) as trigger_date,
        count(*) filter (where event_type = 'clicked') > 0 as is_clicked
    from events
    group by platform, shop_id, assistant_chat_key
    having count(*) filter (where event_type = 'shown') > 0
),

question_triggers as (
    -- one row per (question, trigger in which it was shown)
    select
        platform,
        shop_id,
        faq_id,
        any_value(topic) as topic,
        assistant_chat_key,
        cast(min(occurred_at) filter (where event_type = 'shown') as date) as trigger_date,
        count(*) filter (where event_type = 'clicked') > 0 as is_clicked
    from events
    group by platform, shop_id, faq_id, assistant_chat_key
    having count(*) filter (where event_type = 'shown') > 0
),

parts as (
    select
        platform,
        shop_id,
        faq_id,
        any_value(topic) as topic,
        event_date,
        false as is_shop_total,
        {{ event_measures }}
    from events
    group by platform, shop_id, faq_id, event_date

    union all

    select
        platform,
        shop_id,
        'all' as faq_id,
        null as topic,
        event_date,
        true as is_shop_total,
        {{ event_measures }}
    from events
    group by platform, shop_id, event_date

    union all

    select
        platform,
        shop_id,
        faq_id,
        any_value(topic) as topic,
        trigger_date as event_date,
        false as is_shop_total,
        {{ trigger_measures }}
    from question_triggers
    group by platform, shop_id, faq_id, trigger_date

    union all

    select
        platform,
        shop_id,
        'all' as faq_id,
        null as topic,
        trigger_date as event_date,
        true as is_shop_total,
        {{ trigger_measures }}
    from triggers
    group by platform, shop_id, trigger_date
),

combined as (
    select
        platform,
        shop_id,
        faq_id,
        max(topic) as topic,
        event_date,
        is_shop_total,
        cast(sum(trigger_count) as bigint) as trigger_count,
        cast(sum(clicked_trigger_count) as bigint) as clicked_trigger_count,
        cast(sum(shown_count) as bigint) as shown_count,
        cast(sum(click_count) as bigint) as click_count,
        cast(sum(resolved_count) as bigint) as resolved_count,
        cast(sum(transferred_count) as bigint) as transferred_count,
        cast(sum(helpful_count) as bigint) as helpful_count,
        cast(sum(unhelpful_count) as bigint) as unhelpful_count
    from parts
    group by platform, shop_id, faq_id, event_date, is_shop_total
),

final as (
    select
        platform,
        shop_id,
        faq_id,
        topic,
        event_date,
        is_shop_total,
        trigger_count,
        click_count,
        {{ metric_ratio('faq_click_through_rate') }} as click_through_rate,
        resolved_count,
        transferred_count,
        {{ metric_ratio('faq_resolution_rate') }} as resolution_rate,
        helpful_count,
        unhelpful_count,
        {{ metric_ratio('faq_effectiveness_rate') }} as effectiveness_rate,
        case
            when not is_shop_total and transferred_count > 0
                then row_number() over (
                    partition by platform, shop_id, event_date, is_shop_total, transferred_count > 0
                    order by transferred_count desc, faq_id
                )
        end as transfer_rank,
        shown_count,
        clicked_trigger_count
    from combined
)

select * from final
