{#-
    One row per (platform, shop, FAQ question, business date) with events, plus one shop-day total row per shop-day
    (faq_id = 'all', is_shop_total): triggers (shown), clicks, CTR = clicks ÷ triggers, resolved, transferred,
    resolution rate = resolved ÷ (resolved + transferred), helpful, unhelpful, effectiveness = helpful ÷ (helpful +
    unhelpful); rates null when the denominator is 0. transfer_rank ranks the shop-day's questions by transfers to a
    human (1 = most; ties → faq_id; null without transfers and on total rows).
-#}
with events as (
    select * from {{ ref('fct_faq_events') }}
),

{%- set measures -%}
        count(*) filter (where event_type = 'shown') as trigger_count,
        count(*) filter (where event_type = 'clicked') as click_count,
        count(*) filter (where event_type = 'resolved') as resolved_count,
        count(*) filter (where event_type = 'transferred') as transferred_count,
        count(*) filter (where event_type = 'helpful') as helpful_count,
        count(*) filter (where event_type = 'unhelpful') as unhelpful_count
{%- endset %}

per_question as (
    select
        platform,
        shop_id,
        faq_id,
        any_value(topic) as topic,
        event_date,
        false as is_shop_total,
        {{ measures }}
    from events
    group by platform, shop_id, faq_id, event_date
),

per_shop as (
    select
        platform,
        shop_id,
        'all' as faq_id,
        null as topic,
        event_date,
        true as is_shop_total,
        {{ measures }}
    from events
    group by platform, shop_id, event_date
),

combined as (
    select * from per_question
    union all
    select * from per_shop
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
        {{ safe_ratio('click_count', 'trigger_count') }} as click_through_rate,
        resolved_count,
        transferred_count,
        {{ safe_ratio('resolved_count', 'resolved_count + transferred_count') }} as resolution_rate,
        helpful_count,
        unhelpful_count,
        {{ safe_ratio('helpful_count', 'helpful_count + unhelpful_count') }} as effectiveness_rate,
        case
            when not is_shop_total and transferred_count > 0
                then row_number() over (
                    partition by platform, shop_id, event_date, is_shop_total, transferred_count > 0
                    order by transferred_count desc, faq_id
                )
        end as transfer_rank
    from combined
)

select * from final
