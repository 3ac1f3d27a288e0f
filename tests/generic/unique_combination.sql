{% test unique_combination(model, combination_of_columns) %}
{#- Fails with the duplicated key values when the columns together are not unique (composite primary key). -#}
with keyed as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
)

select * from keyed
{% endtest %}
