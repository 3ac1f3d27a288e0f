{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='performance_date',
          lookback_driver=order_rollup_driver()) }}
{#-
    One row per (platform, shop, attribution rule, performance date, scenario, source): 店铺绩效 as one tidy table.
    scenario: summary (汇总: paid orders by paid date, credit under the rule), inquiry_to_order (询单→下单: orders
    created that day, credit = 落实下单 agent), order_to_payment (下单→付款: orders created that day and paid by
    D + final_pay_days − 1, credit = 落实下单 agent), inquiry_to_payment (询单→付款: the same paid orders, credit
    under the rule, so a 催付 agent counts under payment / order_first). source: agent (客服), silent (静默), shop (店铺);
    agent + silent = shop for orders and amount.
-#}
-- depends_on: {{ ref('int_orders__attributed') }}
with attributed as (
    -- on an incremental run: orders created or paid from the look-back start on
    select * from {{ ref('fct_order_attribution') }}
    where {{ incremental_window(order_last_event_date()) }}
),

order_rule as (
    select
        order_id,
        credited_agent_id as order_agent_id
    from attributed
    where attribution_rule = 'order'
),

orders as (
    select
        attributed.*,
        order_rule.order_agent_id,
        attributed.paid_at
        < {{ payment_horizon_end('cast(attributed.created_at as date)', shop_rule('final_pay_days', 'order_rules')) }}
            as is_paid_in_horizon
    from attributed
    inner join order_rule
        on attributed.order_id = order_rule.order_id
    {{ join_shop_rules('attributed.platform', 'attributed.shop_id', 'cast(attributed.created_at as date)',
                       'order_rules') }}
),

scenario_rows as (
    select
        platform, shop_id, attribution_rule, buyer_key, order_id,
        cast(paid_at as date) as performance_date,
        'summary' as scenario,
        credited_agent_id is not null as is_agent,
        payment_amount as amount
    from orders
    where paid_at is not null
    union all
    select
        platform, shop_id, attribution_rule, buyer_key, order_id,
        cast(created_at as date) as performance_date,
        'inquiry_to_order' as scenario,
        order_agent_id is not null as is_agent,
        order_amount as amount
    from orders
    union all
    select
        platform, shop_id, attribution_rule, buyer_key, order_id,
        cast(created_at as date) as performance_date,
        'order_to_payment' as scenario,
        order_agent_id is not null as is_agent,
        payment_amount as amount
    from orders
    where is_paid_in_horizon
    union all
    select
        platform, shop_id, attribution_rule, buyer_key, order_id,
        cast(created_at as date) as performance_date,
        'inquiry_to_payment' as scenario,
        credited_agent_id is not null as is_agent,
        payment_amount as amount
    from orders
    where is_paid_in_horizon
),

by_source as (
    select
        platform,
        shop_id,
        attribution_rule,
        performance_date,
        scenario,
        case when is_agent then 'agent' else 'silent' end as source,
        count(distinct buyer_key) as buyers,
        count(*) as orders,
        sum(amount) as amount
    from scenario_rows
    group by platform, shop_id, attribution_rule, performance_date, scenario, is_agent
),

shop as (
    select
        platform,
        shop_id,
        attribution_rule,
        performance_date,
        scenario,
        'shop' as source,
        count(distinct buyer_key) as buyers,
        count(*) as orders,
        sum(amount) as amount
    from scenario_rows
    group by platform, shop_id, attribution_rule, performance_date, scenario
),

combined as (
    select * from by_source
    union all
    select * from shop
),

final as (
    select
        combined.platform,
        combined.shop_id,
        combined.attribution_rule,
        combined.performance_date,
        combined.scenario,
        combined.source,
        combined.buyers,
        combined.orders,
        combined.amount,
        {{ metric_ratio('scenario_buyer_share', 'combined', columns={'shop_buyers': 'shop.buyers'}) }} as buyer_share,
        {{ metric_ratio('scenario_amount_share', 'combined', columns={'shop_amount': 'shop.amount'}) }} as amount_share
    from combined
    inner join shop
        on
            combined.platform = shop.platform
            and combined.shop_id = shop.shop_id
            and combined.attribution_rule = shop.attribution_rule
            and combined.performance_date = shop.performance_date
            and combined.scenario = shop.scenario
    where {{ incremental_window('combined.performance_date') }}
)

{{ select_with_shop_rules('final', 'final.performance_date', flag_shop_rule=true) }}
