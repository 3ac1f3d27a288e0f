{#- One row per configured filter account (指定旺旺账号过滤); account ids hashed like buyer ids. -#}
with source as (
    select * from {{ ref('filter_accounts') }}
),

final as (
    select distinct
        {{ normalise_enum('platform') }} as platform,
        nullif(trim(cast(shop_id as string)), '') as shop_id,
        {{ hash_buyer('trim(cast(account_id as string))') }} as account_key,
        cast(reason as string) as reason
    from source
    where account_id is not null
)

select * from final
