{#- One row per peer benchmark (同行同层): typed, after the seed's contract is checked (bad rows stop the build). -#}
{{ assert_valid_peer_benchmarks(ref('peer_benchmarks')) }}

with source as (
    select * from {{ ref('peer_benchmarks') }}
),

final as (
    select
        {{ normalise_enum('platform') }} as platform,
        cast(category as string) as category,
        cast(tier as string) as tier,
        cast(metric as string) as metric_name,
        cast(period as string) as period,
        cast(excellent_value as double) as excellent_value,
        cast(median_value as double) as median_value
    from source
)

select * from final
