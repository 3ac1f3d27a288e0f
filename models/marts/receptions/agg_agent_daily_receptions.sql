with receptions as (
    select * from {{ ref('fct_receptions') }}
),

final as (
    select
        platform,
        shop_id,
        agent_id,
        reception_date,
        count(*) as consult_count,
        count(*) filter (where not is_filtered) as reception_count,
        count(*) filter (where is_filtered) as filtered_count,
        count(*) filter (where filter_reason = 'account') as filtered_account_count,
        count(*) filter (where filter_reason = 'ad') as filtered_ad_count,
        count(*) filter (where filter_reason = 'single_line') as filtered_single_line_count,
        count(*) filter (where filter_reason = 'monologue') as filtered_monologue_count,
        count(*) filter (where is_inquiry) as inquiry_count,
        count(*) filter (where not is_filtered and is_after_sale) as after_sale_count,
        count(*) filter (where initiated_by = 'agent') as agent_initiated_count
    from receptions
    group by platform, shop_id, agent_id, reception_date
),

with_roster as (
    select
        final.*,
        {{ roster_of_day('group_name') }} as group_name,
        {{ roster_of_day('agent_name') }} as agent_name
    from final
    {{ roster_of_day_joins('final.platform', 'final.shop_id', 'final.agent_id', 'final.reception_date') }}
)

{{ select_with_shop_rules('with_roster', 'with_roster.reception_date', flag_shop_rule=false) }}
