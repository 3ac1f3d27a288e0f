{% test between_zero_and_one(model, column_name) %}
{#- Fails with the rows whose rate lies outside [0, 1] (null rates pass: undefined, not wrong). -#}
select *
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
