{% test not_null_combination(model, combination_of_columns) %}
{#- Fails with the rows where any key column is null. -#}
select *
from {{ model }}
where
    {%- for c in combination_of_columns %}
    {{ c }} is null{{ " or" if not loop.last }}
    {%- endfor %}
{% endtest %}
