{% macro credited_reception(orders, receptions, messages, event_column) %}
    {#-
        The one attribution rule (docs/metrics.md §3), for one event column (created_at = 落实下单, paid_at = 落实付款).
        For each order with the event set, over the buyer's unfiltered receptions at the shop dated in
        [event date − (inquiry_valid_days − 1), event date], inquiry_valid_days being the shop's rule in force on the
        reception's date (its inquiry window reaches the event): the reception whose latest human-phase buyer or manual
        agent message at or before the event is latest wins; ties → lower agent_id.
        Returns one row per credited order: order_id, reception_id, agent_id, reception_date, last_message_at,
        candidate_rank (1 = credited), so callers may also read the runners-up.
    -#}
    with events as (
        select
            order_id,
            platform,
            shop_id,
            buyer_key,
            {{ event_column }} as event_at
        from {{ orders }}
        where {{ event_column }} is not null and {{ incremental_window('cast(' ~ event_column ~ ' as date)') }}
    ),

    candidates as (
        select
            events.order_id,
            receptions.reception_id,
            receptions.agent_id,
            receptions.reception_date,
            cast(events.event_at as date) as event_date,
            max(messages.effective_at) as last_message_at
        from events
        inner join {{ receptions }} as receptions
            on
                events.platform = receptions.platform
                and events.shop_id = receptions.shop_id
                and events.buyer_key = receptions.buyer_key
                and not receptions.is_filtered
                and receptions.reception_date <= cast(events.event_at as date)
        {{ join_shop_rules('receptions.platform', 'receptions.shop_id', 'receptions.reception_date') }}
        inner join {{ messages }} as messages
            on
                receptions.reception_id = messages.reception_id
                and (messages.is_buyer_message or messages.is_manual_agent_message)
                and messages.effective_at <= events.event_at
        where {{ dbt.dateadd('day', shop_rule('inquiry_valid_days') ~ ' - 1', 'receptions.reception_date') }}
            >= cast(events.event_at as date)
        group by
            events.order_id, receptions.reception_id, receptions.agent_id, receptions.reception_date,
            cast(events.event_at as date)
    )

    select
        order_id,
        reception_id,
        agent_id,
        reception_date,
        event_date,
        last_message_at,
        row_number() over (
            partition by order_id
            order by last_message_at desc, agent_id asc, reception_date desc
        ) as candidate_rank
    from candidates
{% endmacro %}

{% macro attribution_rules() -%}
    {#- The three 业绩判定 rules, in display order. -#}
    {{- return(['order', 'payment', 'order_first']) -}}
{%- endmacro %}

{% macro attribution_rules_table() %}
    {#- A one-column relation (attribution_rule) listing the three rules, to fan a figure out per rule. -#}
    {%- for rule in attribution_rules() %}
    select '{{ rule }}' as attribution_rule{{ " union all" if not loop.last }}
    {%- endfor %}
{% endmacro %}
