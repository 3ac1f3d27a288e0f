{#- One row per shop: name, category, tier (同行同层), timezone (empty = var default_shop_timezone; checked first). -#}
{{ assert_valid_shop_timezones(ref('shops')) }}
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
        {{ shop_timezone('timezone') }} as timezone
    from source
)

select * from final
