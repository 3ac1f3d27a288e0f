{#-
    One row: the as_of date every "so far" figure is measured against. var as_of when set; else the day after the
    latest message or order event in the data (never the wall clock, so a rebuild is reproducible).
-#}
with events as (
    select max(sent_at) as latest_at from {{ ref('stg_kefu__messages') }}
    union all
    select max(greatest(created_at, coalesce(paid_at, created_at))) as latest_at from {{ ref('stg_kefu__orders') }}
),

{%- set latest_plus_one = "cast(" ~ dbt.dateadd('day', 1, 'cast(max(latest_at) as date)') ~ " as date)" %}
{%- set as_of_expression = latest_plus_one if var('as_of') is none else "cast('" ~ var('as_of') ~ "' as date)" %}

final as (
    select {{ as_of_expression }} as as_of_date
    from events
)

select * from final
