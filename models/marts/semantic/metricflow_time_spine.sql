{#-
    One row per calendar day (date_day), 2000-01-01 to 2040-12-31: the MetricFlow time spine that lets metric_time
    roll day-grain marts up to week, month, quarter and year.
-#}
with days as (
    select date_day from {{ day_series('2000-01-01', '2040-12-31') }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
