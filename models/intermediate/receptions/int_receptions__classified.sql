{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='reception_date') }}

{#-
    One row per reception with the §1 rules applied: initiated_by, filter reason (first match wins: account, ad,
    single_line, monologue; each switchable by var), after-sale with the re-order exception, and inquiry
    (询单) including the agent-initiated follow-up rule (客服主动跟进不算询单流失).
-#}
with daily as (
    select * from {{ ref('int_receptions__daily') }}
    where {{ incremental_window('reception_date') }}
),

-- each reception with the rules in force for its shop on its date (seeds/shop_rules.csv, else the global vars)
receptions as (
    select
        daily.*,
        {{ shop_rule_columns(['after_sale_days', 'inquiry_valid_days', 'followup_gap_hours', 'filter_account_enabled',
                              'filter_ad_enabled', 'filter_single_line_enabled', 'filter_monologue_enabled',
                              'monologue_max_buyer_msgs', 'followup_not_lost'], prefix='rule_') }}
    from daily
    {{ join_shop_rules('daily.platform', 'daily.shop_id', 'daily.reception_date') }}
),

orders as (
    select * from {{ ref('stg_kefu__orders') }}
),

filter_accounts as (
    select * from {{ ref('stg_config__filter_accounts') }}
),

account_matches as (
    select distinct receptions.reception_id
    from receptions
    inner join filter_accounts
        on
            receptions.platform = filter_accounts.platform
            and receptions.buyer_key = filter_accounts.account_key
            and (filter_accounts.shop_id is null or receptions.shop_id = filter_accounts.shop_id)
),

order_context as (
    select
        receptions.reception_id,
        bool_or(
            orders.paid_at
            >= {{ dbt.dateadd('day', '-1 * receptions.rule_after_sale_days', 'receptions.first_message_at') }}
            and orders.paid_at < receptions.first_message_at
        ) as has_recent_paid_order,
        bool_or(
            orders.created_at >= receptions.first_message_at
            and orders.created_at
            < {{ inquiry_window_end('receptions.reception_date', 'receptions.rule_inquiry_valid_days') }}
        ) as has_order_in_window
    from receptions
    inner join orders
        on
            receptions.platform = orders.platform
            and receptions.shop_id = orders.shop_id
            and receptions.buyer_key = orders.buyer_key
            and orders.created_at
            < {{ inquiry_window_end('receptions.reception_date', 'receptions.rule_inquiry_valid_days') }}
    group by receptions.reception_id
),

initiated as (
    select
        receptions.*,
        case
            when
                receptions.starts_with_agent_message
                and (
                    receptions.previous_buyer_message_at is null
                    or receptions.previous_buyer_message_at
                    < {{ dbt.dateadd('hour', '-1 * receptions.rule_followup_gap_hours',
                                     'receptions.first_message_at') }}
                )
                then 'agent'
            else 'buyer'
        end as initiated_by,
        account_matches.reception_id is not null as is_filter_account,
        coalesce(order_context.has_recent_paid_order, false) as has_recent_paid_order,
        coalesce(order_context.has_order_in_window, false) as has_order_in_window
    from receptions
    left join account_matches
        on receptions.reception_id = account_matches.reception_id
    left join order_context
        on receptions.reception_id = order_context.reception_id
),

filtered as (
    select
        *,
        case
            when rule_filter_account_enabled and is_filter_account
                then 'account'
            when rule_filter_ad_enabled and buyer_message_count >= 1 and non_ad_buyer_message_count = 0
                then 'ad'
            -- a buyer who spoke and got no answer is never single_line / monologue (agent_message_count >= 1 below)
            when rule_filter_single_line_enabled and buyer_message_count = 0 and agent_message_count = 1
                then 'single_line'
            when
                rule_filter_monologue_enabled
                and buyer_message_count <= rule_monologue_max_buyer_msgs
                and agent_message_count >= 2
                then 'monologue'
        end as filter_reason,
        (has_recent_paid_order or coalesce(first_entry_point = 'order', false))
        and not has_order_in_window as is_after_sale
    from initiated
),

final as (
    select
        reception_id,
        platform,
        shop_id,
        agent_id,
        buyer_key,
        reception_date,
        first_message_at,
        first_session_id,
        initiated_by,
        buyer_message_count,
        agent_message_count,
        filter_reason is not null as is_filtered,
        filter_reason,
        is_after_sale,
        has_order_in_window,
        filter_reason is null
        and not is_after_sale
        and (initiated_by = 'buyer' or not rule_followup_not_lost or has_order_in_window) as is_inquiry
    from filtered
)

select * from final
