{#- One row per commission plan tier (提成): typed, after the seed's contract is checked (bad rows stop the build). -#}
{{ assert_valid_commission_plan(ref('commission_plan'), ref('shops')) }}

with source as (
    select * from {{ ref('commission_plan') }}
),

typed as (
    select
        {{ plan_key_columns() }},
        cast(coalesce(nullif(trim(tier_from), ''), '0') as decimal(18, 2)) as tier_from,
        cast(nullif(trim(tier_to), '') as decimal(18, 2)) as tier_to,
        cast(trim(rate) as decimal(9, 6)) as rate,
        {{ normalise_enum('mode') }} as commission_mode
    from source
),

final as (
    select
        *,
        row_number() over (
            partition by platform, shop_id, group_name, effective_from order by tier_from
        ) as tier_number
    from typed
)

select * from final
