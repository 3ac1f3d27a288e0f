{#-
    One row per (platform, shop, agent or null, rule) that a 预警 rule applies to, evaluated at the shop's data clock
    (status_at = its latest landed message, as agg_agent_live_status; never the wall clock): the value now, the
    threshold in force (the most specific seeds/alert_rules.csv row: shop, then platform, then global; an empty
    threshold switches the rule off) and is_breached. Shops are those of the live status (agents on the roster).
    Stateless: which alerts are open, when they opened and closed, and what was pushed is kept by kefu/alerts.py beside
    the published file (DECISIONLOG "Alerts").
-#}
with live_status as (
    select * from {{ ref('agg_agent_live_status') }}
),

shop_service as (
    select * from {{ ref('agg_shop_daily_service') }}
),

chats as (
    select * from {{ ref('int_chats__daily') }}
),

sessions as (
    select * from {{ ref('stg_kefu__sessions') }}
),

messages as (
    select * from {{ ref('stg_kefu__messages') }}
),

shops as (
    select * from {{ ref('stg_config__shops') }}
),

alert_rules as (
    select * from {{ ref('stg_config__alert_rules') }}
),

shop_now as (
    select
        platform,
        shop_id,
        max(status_at) as status_at,
        max(status_date) as status_date,
        sum(waiting_buyer_count) as waiting_buyer_count,
        coalesce(max(longest_wait_seconds), 0) as longest_wait_seconds
    from live_status
    group by platform, shop_id
),

ranked_rules as (
    select
        shop_now.platform,
        shop_now.shop_id,
        alert_rules.rule,
        alert_rules.threshold,
        row_number() over (
            partition by shop_now.platform, shop_now.shop_id, alert_rules.rule
            order by
                case when alert_rules.shop_id is not null then 0 when alert_rules.platform is not null then 1 else 2 end
        ) as specificity_rank
    from shop_now
    inner join alert_rules
        on
            (alert_rules.platform is null or alert_rules.platform = shop_now.platform)
            and (alert_rules.shop_id is null or alert_rules.shop_id = shop_now.shop_id)
    where alert_rules.rule <> 'shopee_reply_rate_below' or shop_now.platform = 'shopee'
),

shop_rules as (
    select
        platform,
        shop_id,
        rule,
        threshold
    from ranked_rules
    where specificity_rank = 1 and threshold is not null
),

today_chats as (
    -- the 聊聊 回复率 of the clock's business date: chats replied within the deadline ÷ chats (agg_shop_daily_chat_funnel)
    select
        shop_now.platform,
        shop_now.shop_id,
        count(*) as chat_buyer_count,
        count(*) filter (where chats.is_replied_within_deadline) as replied_chat_count
    from shop_now
    inner join chats
        on
            shop_now.platform = chats.platform
            and shop_now.shop_id = chats.shop_id
            and shop_now.status_date = chats.chat_date
    group by shop_now.platform, shop_now.shop_id
),

shop_values as (
    select
        shop_now.platform,
        shop_now.shop_id,
        shop_now.status_at,
        cast(shop_now.waiting_buyer_count as double) as waiting_buyers_above,
        cast(shop_now.longest_wait_seconds as double) as longest_wait_above_seconds,
        shop_service.three_minute_response_rate as three_minute_rate_below,
        {{ metric_ratio('chat_reply_rate', 'today_chats') }} as shopee_reply_rate_below
    from shop_now
    left join shop_service
        on
            shop_now.platform = shop_service.platform
            and shop_now.shop_id = shop_service.shop_id
            and shop_now.status_date = shop_service.service_date
    left join today_chats
        on
            shop_now.platform = today_chats.platform
            and shop_now.shop_id = today_chats.shop_id
),

shop_checks as (
    select
        shop_rules.platform,
        shop_rules.shop_id,
        cast(null as {{ dbt.type_string() }}) as agent_id,
        cast(null as {{ dbt.type_string() }}) as agent_name,
        shop_rules.rule,
        shop_values.status_at,
        case shop_rules.rule
            when 'waiting_buyers_above' then shop_values.waiting_buyers_above
            when 'longest_wait_above_seconds' then shop_values.longest_wait_above_seconds
            when 'three_minute_rate_below' then shop_values.three_minute_rate_below
            when 'shopee_reply_rate_below' then shop_values.shopee_reply_rate_below
        end as value,
        shop_rules.threshold
    from shop_rules
    inner join shop_values
        on
            shop_rules.platform = shop_values.platform
            and shop_rules.shop_id = shop_values.shop_id
    where shop_rules.rule <> 'agent_silent_minutes'
),

silent_candidates as (
    -- agents online at the clock with open sessions (agg_agent_live_status); only shops with the rule
    select
        live_status.platform,
        live_status.shop_id,
        live_status.agent_id,
        live_status.status_at,
        live_status.status_date
    from live_status
    inner join shop_rules
        on
            live_status.platform = shop_rules.platform
            and live_status.shop_id = shop_rules.shop_id
            and shop_rules.rule = 'agent_silent_minutes'
    where live_status.is_online and live_status.open_session_count > 0
),

open_sessions as (
    -- the agent's open sessions as agg_agent_live_status counts them: since when has the agent held one
    select
        silent_candidates.agent_id,
        min(coalesce(sessions.human_joined_at, sessions.started_at)) as first_open_at
    from silent_candidates
    inner join sessions
        on
            silent_candidates.agent_id = sessions.agent_id
            and sessions.started_at <= silent_candidates.status_at
            and sessions.started_at >= cast(silent_candidates.status_date as timestamp)
            and coalesce(sessions.human_joined_at, sessions.started_at) <= silent_candidates.status_at
            and (sessions.ended_at is null or sessions.ended_at > silent_candidates.status_at)
    group by silent_candidates.agent_id
),

last_replies as (
    -- the agent's latest manual message of the clock's business date, up to the clock
    select
        silent_candidates.agent_id,
        max(messages.sent_at) as last_reply_at
    from silent_candidates
    inner join sessions
        on silent_candidates.agent_id = sessions.agent_id
    inner join messages
        on sessions.session_id = messages.session_id
    where
        messages.sender_role = 'agent'
        and not messages.is_auto_reply
        and messages.sent_at <= silent_candidates.status_at
        and messages.sent_at >= cast(silent_candidates.status_date as timestamp)
    group by silent_candidates.agent_id
),

silent_values as (
    select
        silent_candidates.agent_id,
        case
            when last_replies.last_reply_at > open_sessions.first_open_at then last_replies.last_reply_at
            else open_sessions.first_open_at
        end as silent_since
    from silent_candidates
    inner join open_sessions
        on silent_candidates.agent_id = open_sessions.agent_id
    left join last_replies
        on silent_candidates.agent_id = last_replies.agent_id
),

agent_checks as (
    -- every roster agent of a shop with the rule; value null when the agent is offline or holds no open session
    select
        live_status.platform,
        live_status.shop_id,
        live_status.agent_id,
        live_status.agent_name,
        shop_rules.rule,
        live_status.status_at,
        round({{ seconds_between('silent_values.silent_since', 'live_status.status_at') }} / 60.0, 1) as value,
        shop_rules.threshold
    from live_status
    inner join shop_rules
        on
            live_status.platform = shop_rules.platform
            and live_status.shop_id = shop_rules.shop_id
            and shop_rules.rule = 'agent_silent_minutes'
    left join silent_values
        on live_status.agent_id = silent_values.agent_id
),

checks as (
    select * from shop_checks
    union all
    select * from agent_checks
),

final as (
    select
        checks.platform,
        checks.shop_id,
        shops.shop_name,
        checks.agent_id,
        checks.agent_name,
        checks.rule,
        cast(checks.status_at as timestamp) as status_at,
        cast(checks.value as double) as value,
        cast(checks.threshold as double) as threshold,
        {{ alert_breached('checks.rule', 'checks.value', 'checks.threshold') }} as is_breached
    from checks
    left join shops
        on
            checks.platform = shops.platform
            and checks.shop_id = shops.shop_id
)

select * from final
