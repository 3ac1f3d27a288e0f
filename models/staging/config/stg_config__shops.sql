{#- One row per shop: name, category, tier (同行同层), timezone. -#}
with source as (
    select * from {{ ref('shops') }}
),

final as (
    select
        {{ normalise_enum('platform') }} as platform,
        cast(shop_id as string) as shop_id,
        cast(shop_name as string) as shop_name,
        cast(category as string) as category,
        cast(tier as string) as tier,
        cast(timezone as string) as timezone
    from source
)

select * from final
