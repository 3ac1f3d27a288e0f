{#-
    One row: the as_of date every "so far" figure is measured against. var as_of when set; else the day after the
    latest message or order event in the data (never the wall clock, so a rebuild is reproducible).
-#}
with events as (
    select max(sent_at) as latest_at from {{ ref('stg_kefu__messages') }}
    union all
    select max(greatest(created_at, coalesce(paid_at, created_at))) as latest_at from {{ ref('stg_kefu__orders') }}
),

{%- if var('as_of') is not none %}
    {%- set as_of_expression = "cast('" ~ var('as_of') ~ "' as date)" %}
{%- else %}
    {%- set as_of_expression = "cast(" ~ dbt.dateadd('day', 1, 'cast(max(latest_at) as date)') ~ " as date)" %}
{%- endif %}

final as (
    select {{ as_of_expression }} as as_of_date
    from events
)

select * from final
