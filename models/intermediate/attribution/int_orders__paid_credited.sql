{{ config(
    materialized='incremental',
    incremental_strategy='lookback',
    lookback_column='paid_date',
    unique_key=['order_id', 'attribution_rule']
) }}

{#-
    One row per paid order and attribution rule (order_id, attribution_rule): the order's paid date, buyer, amount
    and quantity, the agent credited under the rule (null = silent, 静默) with that agent's group as of the paid date
    (int_agents__roster_history), and is_shop_rule = the rule is the shop's rule in force on the paid date (the
    rows agg_agent_daily_sales marks is_shop_rule). Input of the group and period sales figures, where distinct
    paying buyers need the buyer.
    Incremental: a run takes the paid orders int_orders__attributed may have recomputed (created, paid or updated
    from the look-back start on; every order paid from the start on is among them) and replaces them by key.
-#}
-- depends_on: {{ ref('int_orders__attributed') }}
with attributed as (
    select * from {{ ref('fct_order_attribution') }}
    where paid_at is not null
    {%- if is_incremental() %}
        and order_id in (
            select order_id from {{ ref('int_orders__attributed') }}
            where {{ incremental_window('activity_date') }}
        )
    {%- endif %}
),

dated as (
    select
        attributed.*,
        cast(attributed.paid_at as date) as paid_date
    from attributed
),

with_roster as (
    select
        dated.order_id,
        dated.attribution_rule,
        dated.platform,
        dated.shop_id,
        dated.buyer_key,
        dated.paid_date,
        dated.credited_agent_id,
        dated.is_silent,
        dated.payment_amount,
        dated.item_quantity,
        {{ roster_of_day('group_name') }} as group_name
    from dated
    {{ roster_of_day_joins('dated.platform', 'dated.shop_id', 'dated.credited_agent_id', 'dated.paid_date') }}
),

final as (
    select
        with_roster.*,
        with_roster.attribution_rule = {{ shop_rule('attribution_rule') }} as is_shop_rule
    from with_roster
    {{ join_shop_rules('with_roster.platform', 'with_roster.shop_id', 'with_roster.paid_date') }}
)

select * from final
