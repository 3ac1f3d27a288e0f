{#-
    One row per (platform, shop, agent, inquiry date, attribution rule): the agent cohort, counting only orders
    credited to that agent under the rule (docs/metrics.md §2–§3).
-#}
with inquiries as (
    select * from {{ ref('fct_inquiry_conversion') }}
),

per_rule as (
    {%- for rule in attribution_rules() %}
    select
        platform,
        shop_id,
        agent_id,
        inquiry_date,
        '{{ rule }}' as attribution_rule,
        {{ rule }}_agent_ordered_same_day as ordered_same_day,
        {{ rule }}_agent_ordered as ordered,
        {{ rule }}_agent_paid_next_day as paid_next_day,
        {{ rule }}_agent_paid_final as paid_final
    from inquiries
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

final as (
    {{ conversion_rollup('per_rule', ['platform', 'shop_id', 'agent_id', 'inquiry_date', 'attribution_rule'],
                         'inquiry_date') }}
),

with_roster as (
    select
        final.*,
        {{ roster_of_day('group_name') }} as group_name,
        {{ roster_of_day('agent_name') }} as agent_name
    from final
    {{ roster_of_day_joins('final.platform', 'final.shop_id', 'final.agent_id', 'final.inquiry_date') }}
)

-- the shop's rules in force on the row's date (seeds/shop_rules.csv, else the global vars)
select
    with_roster.*,
    with_roster.attribution_rule = {{ shop_rule('attribution_rule') }} as is_shop_rule
from with_roster
{{ join_shop_rules('with_roster.platform', 'with_roster.shop_id', 'with_roster.inquiry_date') }}
