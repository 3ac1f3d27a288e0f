with buyer_days as (
    select * from {{ ref('int_receptions__shop_buyer_days') }}
),

final as (
    select
        platform,
        shop_id,
        reception_date,
        count(*) as consult_buyers,
        count(*) filter (where has_reception) as reception_buyers,
        count(*) filter (where not has_reception) as filtered_buyers,
        count(*) filter (where has_inquiry) as inquiry_buyers,
        count(*) filter (where has_after_sale_reception) as after_sale_buyers
    from buyer_days
    group by platform, shop_id, reception_date
)

-- the shop's rules in force on the row's date (seeds/shop_rules.csv, else the global vars)
select
    final.*,
    {{ rule_version() }} as rule_version
from final
{{ join_shop_rules('final.platform', 'final.shop_id', 'final.reception_date') }}
