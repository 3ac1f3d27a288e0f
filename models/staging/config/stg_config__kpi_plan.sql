{#- One row per KPI plan band (绩效考核): typed, after the seed's contract is checked (bad rows stop the build). -#}
{{ assert_valid_kpi_plan(ref('kpi_plan'), ref('shops')) }}

with source as (
    select * from {{ ref('kpi_plan') }}
),

typed as (
    select
        {{ plan_key_columns() }},
        trim(cast(metric as string)) as metric_name,
        cast(trim(weight) as double) as weight,
        cast(nullif(trim(band_from), '') as double) as band_from,
        cast(nullif(trim(band_to), '') as double) as band_to,
        cast(trim(score) as double) as score
    from source
),

final as (
    select
        *,
        row_number() over (
            partition by platform, shop_id, group_name, effective_from, metric_name
            order by band_from nulls first
        ) as band_number
    from typed
)

select * from final
