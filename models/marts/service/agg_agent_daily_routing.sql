{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='routing_date') }}

{#-
    One row per (platform, shop, agent, business date) for every roster agent of a shop-day with activity
    (旺旺分流 balance, docs/metrics.md §5): expected share = routing_weight × online seconds normalised within the shop-day
    (0 for an agent offline all day), actual share of the shop-day's buyer-initiated receptions, recent-contact share
    (buyer talked to the same agent within recent_contact_hours before), seconds with more than busy_waiting buyers
    waiting for this agent, and the shop-day imbalance index Σ |actual − expected| ÷ 2 (repeated on each agent row).
    Incremental: the days from the look-back start on, from their inputs of the same days (messages from
    recent_contact_hours earlier for the recent contacts).
-#}
with agents as (
    select * from {{ ref('stg_kefu__agents') }}
),

status as (
    select * from {{ ref('int_agent_status__daily') }}
    where {{ incremental_window('status_date') }}
),

receptions as (
    select * from {{ ref('int_receptions__classified') }}
    where {{ incremental_window('reception_date') }}
),

{%- set contact_reach = dbt.dateadd('hour', var('recent_contact_hours'), 'effective_at') %}

human_phase as (
    select * from {{ ref('int_messages__human_phase') }}
    -- a message reaches a reception within recent_contact_hours after it
    where {{ incremental_window('cast(' ~ contact_reach ~ ' as date)') }}
),

waiting as (
    select * from {{ ref('int_rounds__waiting') }}
    where {{ incremental_window('wait_date') }}
),

shop_days as (
    select platform, shop_id, reception_date as routing_date from receptions
    union
    select platform, shop_id, status_date from status
),

agent_days as (
    select
        shop_days.platform,
        shop_days.shop_id,
        agents.agent_id,
        shop_days.routing_date,
        agents.routing_weight
    from shop_days
    inner join agents
        on
            shop_days.platform = agents.platform
            and shop_days.shop_id = agents.shop_id
),

buyer_receptions as (
    select * from receptions
    where initiated_by = 'buyer'
),

recent_contacts as (
    -- buyer-initiated receptions whose buyer exchanged a message with the same agent in the hours before
    select distinct buyer_receptions.reception_id
    from buyer_receptions
    inner join human_phase
        on
            buyer_receptions.agent_id = human_phase.agent_id
            and buyer_receptions.buyer_key = human_phase.buyer_key
            and (human_phase.is_buyer_message or human_phase.is_manual_agent_message)
            and human_phase.effective_at < buyer_receptions.first_message_at
            and human_phase.effective_at
            >= {{ dbt.dateadd('hour', -var('recent_contact_hours'), 'buyer_receptions.first_message_at') }}
),

reception_counts as (
    select
        buyer_receptions.agent_id,
        buyer_receptions.reception_date as routing_date,
        count(*) as buyer_initiated_reception_count,
        count(recent_contacts.reception_id) as recent_contact_reception_count
    from buyer_receptions
    left join recent_contacts
        on buyer_receptions.reception_id = recent_contacts.reception_id
    group by buyer_receptions.agent_id, buyer_receptions.reception_date
),

waiting_load as (
    {{ interval_load('waiting', ['agent_id', 'wait_date'], 'wait_start_at', 'wait_end_at', above=var('busy_waiting')) }}
),

measured as (
    select
        agent_days.platform,
        agent_days.shop_id,
        agent_days.agent_id,
        agent_days.routing_date,
        agent_days.routing_weight,
        cast(coalesce(status.online_seconds, 0) as bigint) as online_seconds,
        agent_days.routing_weight * coalesce(status.online_seconds, 0) as expected_weight,
        {{ roster_of_day('routing_weight') }} as routing_weight_in_force,
        {{ roster_of_day('routing_weight') }} * coalesce(status.online_seconds, 0) as expected_weight_in_force,
        {{ roster_of_day('group_name') }} as group_name,
        {{ roster_of_day('agent_name') }} as agent_name,
        coalesce(reception_counts.buyer_initiated_reception_count, 0) as buyer_initiated_reception_count,
        coalesce(reception_counts.recent_contact_reception_count, 0) as recent_contact_reception_count,
        cast(coalesce(waiting_load.max_open, 0) as bigint) as max_waiting_buyers,
        cast(coalesce(waiting_load.open_seconds_above, 0) as bigint) as busy_waiting_seconds
    from agent_days
    left join status
        on
            agent_days.agent_id = status.agent_id
            and agent_days.routing_date = status.status_date
    left join reception_counts
        on
            agent_days.agent_id = reception_counts.agent_id
            and agent_days.routing_date = reception_counts.routing_date
    left join waiting_load
        on
            agent_days.agent_id = waiting_load.agent_id
            and agent_days.routing_date = waiting_load.wait_date
    {{ roster_of_day_joins('agent_days.platform', 'agent_days.shop_id', 'agent_days.agent_id',
                           'agent_days.routing_date') }}
),

shares as (
    select
        *,
        sum(expected_weight) over (partition by platform, shop_id, routing_date) as shop_expected_weight,
        sum(expected_weight_in_force) over (partition by platform, shop_id, routing_date)
            as shop_expected_weight_in_force,
        sum(buyer_initiated_reception_count) over (partition by platform, shop_id, routing_date)
            as shop_buyer_initiated_reception_count,
        {{ safe_ratio('expected_weight_in_force',
                      'sum(expected_weight_in_force) over (partition by platform, shop_id, routing_date)') }}
            as expected_share_in_force,
        {{ safe_ratio('expected_weight',
                      'sum(expected_weight) over (partition by platform, shop_id, routing_date)') }}
            as expected_share,
        {{ safe_ratio('buyer_initiated_reception_count',
                      'sum(buyer_initiated_reception_count) over (partition by platform, shop_id, routing_date)') }}
            as actual_share,
        {{ safe_ratio('recent_contact_reception_count', 'buyer_initiated_reception_count') }} as recent_contact_share
    from measured
),

final as (
    select
        platform,
        shop_id,
        agent_id,
        routing_date,
        routing_weight,
        online_seconds,
        buyer_initiated_reception_count,
        recent_contact_reception_count,
        expected_share,
        actual_share,
        actual_share - expected_share as share_gap,
        recent_contact_share,
        max_waiting_buyers,
        busy_waiting_seconds,
        sum(abs(actual_share - expected_share)) over (partition by platform, shop_id, routing_date) / 2
            as shop_imbalance_index,
        expected_weight,
        shop_expected_weight,
        cast(shop_buyer_initiated_reception_count as bigint) as shop_buyer_initiated_reception_count,
        routing_weight_in_force,
        expected_weight_in_force,
        shop_expected_weight_in_force,
        expected_share_in_force,
        actual_share - expected_share_in_force as share_gap_in_force,
        sum(abs(actual_share - expected_share_in_force)) over (partition by platform, shop_id, routing_date) / 2
            as shop_imbalance_index_in_force,
        group_name,
        agent_name
    from shares
)

select * from final
