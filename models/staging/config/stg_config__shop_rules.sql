{#- One row per per-shop rule override (自定义绩效配置): typed, after the seed's contract is checked. -#}
{{ assert_valid_shop_rules(ref('shop_rules'), ref('shops')) }}

with source as (
    select * from {{ ref('shop_rules') }}
),

final as (
    select
        {{ normalise_enum('platform') }} as platform,
        trim(cast(shop_id as string)) as shop_id,
        cast(trim(effective_from) as date) as effective_from,
        {{ shop_rule_columns(alias='source', mode='typed') }}
    from source
)

select * from final
