{#-
    One row per (order, assisting agent) under the shop's attribution_rule in force on the order's created date: agents with an unfiltered
    reception of the buyer in the order's or the payment's window and a message before that event (协助), who did
    not get the credit.
-#}
with attributed as (
    -- the shop's attribution_rule in force on the order's created date (seeds/shop_rules.csv, else the var)
    select all_rules.*
    from {{ ref('int_orders__attributed') }} as all_rules
    {{ join_shop_rules('all_rules.platform', 'all_rules.shop_id', 'cast(all_rules.created_at as date)') }}
    where all_rules.attribution_rule = {{ shop_rule('attribution_rule') }}
),

candidates as (
    select order_id, agent_id, reception_id, last_message_at from {{ ref('int_orders__order_agent') }}
    union all
    select order_id, agent_id, reception_id, last_message_at from {{ ref('int_orders__pay_agent') }}
),

assists as (
    select
        candidates.order_id,
        candidates.agent_id,
        min(candidates.reception_id) as assist_reception_id,
        max(candidates.last_message_at) as last_message_at
    from candidates
    inner join attributed
        on candidates.order_id = attributed.order_id
    where candidates.agent_id <> coalesce(attributed.credited_agent_id, '')
    group by candidates.order_id, candidates.agent_id
),

final as (
    select
        attributed.platform,
        attributed.shop_id,
        attributed.order_id,
        attributed.attribution_rule,
        assists.agent_id as assisting_agent_id,
        assists.assist_reception_id,
        assists.last_message_at,
        attributed.credited_agent_id,
        attributed.created_at,
        attributed.paid_at,
        attributed.payment_amount
    from assists
    inner join attributed
        on assists.order_id = attributed.order_id
)

select * from final
