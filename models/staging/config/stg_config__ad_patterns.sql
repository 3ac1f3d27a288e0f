{#- One row per ad pattern (广告过滤): match_type contains or regex. -#}
with source as (
    select * from {{ ref('ad_patterns') }}
),

final as (
    select distinct
        cast(pattern as string) as pattern,
        {{ normalise_enum('match_type') }} as match_type
    from source
    where pattern is not null
)

select * from final
