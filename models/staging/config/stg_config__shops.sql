{#- One row per shop: name, category, tier (同行同层), timezone. -#}
with source as (
    select * from {{ ref('shops') }}
),

final as (
    select
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as varchar) as shop_id,
        cast(shop_name as varchar) as shop_name,
        cast(category as varchar) as category,
        cast(tier as varchar) as tier,
        cast(timezone as varchar) as timezone
    from source
)

select * from final
