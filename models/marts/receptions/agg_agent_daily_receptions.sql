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
        sum(case when not is_filtered then 1 else 0 end) as reception_count,
        sum(case when is_filtered then 1 else 0 end) as filtered_count,
        sum(case when filter_reason = 'account' then 1 else 0 end) as filtered_account_count,
        sum(case when filter_reason = 'ad' then 1 else 0 end) as filtered_ad_count,
        sum(case when filter_reason = 'single_line' then 1 else 0 end) as filtered_single_line_count,
        sum(case when filter_reason = 'monologue' then 1 else 0 end) as filtered_monologue_count,
        sum(case when is_inquiry then 1 else 0 end) as inquiry_count,
        sum(case when not is_filtered and is_after_sale then 1 else 0 end) as after_sale_count,
        sum(case when initiated_by = 'agent' then 1 else 0 end) as agent_initiated_count
    from receptions
    group by platform, shop_id, agent_id, reception_date
)

-- the shop's rules in force on the row's date (seeds/shop_rules.csv, else the global vars)
select
    final.*,
    {{ rule_version() }} as rule_version
from final
{{ join_shop_rules('final.platform', 'final.shop_id', 'final.reception_date') }}
