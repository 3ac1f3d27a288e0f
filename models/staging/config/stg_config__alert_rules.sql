{#- One row per 预警 threshold (alert_rules.csv of the configuration): typed, after the seed's contract is checked
    (bad rows stop the build). -#}
{{ assert_valid_alert_rules(ref('alert_rules'), ref('shops')) }}

with source as (
    select * from {{ ref('alert_rules') }}
),

final as (
    select
        {{ normalise_enum('platform') }} as platform,
        nullif(trim(cast(shop_id as string)), '') as shop_id,
        trim(cast(rule as string)) as rule,
        cast(nullif(trim(threshold), '') as double) as threshold
    from source
)

select * from final
