{% test expression_is_true(model, expression) %}
{#- Fails with the rows where the boolean expression is false. -#}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
