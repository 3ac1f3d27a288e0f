-- The platform figures of docs/metrics.md §6 stay what they say on every build: 转化率 = ordering replied chats ÷
-- replied chats (never above 1: an ordering chat is a replied chat); FAQ 点击率 = clicked triggers ÷ triggers
-- (never above 1: a clicked trigger is a trigger; a trigger shows at least one question, so the shop's triggers never
-- exceed its `shown` events nor, over all days, the triggers its questions were shown in).
with faq_question_sums as (
    select
        platform,
        shop_id,
        sum(trigger_count) filter (where not is_shop_total) as question_trigger_count,
        sum(trigger_count) filter (where is_shop_total) as shop_trigger_count
    from {{ ref('agg_faq_daily') }}
    group by platform, shop_id
)

select
    'chat' as figure,
    platform,
    shop_id,
    cast(activity_date as string) as row_key
from {{ ref('agg_shop_daily_chat_funnel') }}
where
    ordering_buyer_count > replied_chat_count
    or conversion_rate > 1
    or abs(
        coalesce(conversion_rate, -1) - coalesce({{ safe_ratio('ordering_buyer_count', 'replied_chat_count') }}, -1)
    ) > 1e-9
    or abs(
        coalesce(chat_buyer_paid_rate, -1) - coalesce({{ safe_ratio('paying_buyer_count', 'chat_buyer_count') }}, -1)
    ) > 1e-9

union all

select
    'faq' as figure,
    platform,
    shop_id,
    faq_id || '@' || cast(event_date as string) as row_key
from {{ ref('agg_faq_daily') }}
where
    clicked_trigger_count > trigger_count
    or trigger_count > shown_count
    or click_through_rate > 1
    or abs(
        coalesce(click_through_rate, -1) - coalesce({{ safe_ratio('clicked_trigger_count', 'trigger_count') }}, -1)
    ) > 1e-9

union all

select
    'faq_totals' as figure,
    platform,
    shop_id,
    'all days' as row_key
from faq_question_sums
where shop_trigger_count > question_trigger_count
