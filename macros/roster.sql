{% macro roster_of_day_joins(platform, shop_id, agent_id, day, alias='roster') -%}
    {#- Two left joins on int_agents__roster_history giving an agent's roster version of a business date `day`: the
        version in force at the end of the day (valid_from before day + 1, valid_to at or after it), and the first
        version (`<alias>_first`), which stands for the days before the agent's first landed version. Read the
        columns with roster_of_day(column, alias). -#}
    left join {{ ref('int_agents__roster_history') }} as {{ alias }}_day
        on
            {{ platform }} = {{ alias }}_day.platform
            and {{ shop_id }} = {{ alias }}_day.shop_id
            and {{ agent_id }} = {{ alias }}_day.agent_id
            and {{ alias }}_day.valid_from < {{ dbt.dateadd('day', 1, day) }}
            and ({{ alias }}_day.valid_to is null or {{ alias }}_day.valid_to >= {{ dbt.dateadd('day', 1, day) }})
    left join {{ ref('int_agents__roster_history') }} as {{ alias }}_first
        on
            {{ platform }} = {{ alias }}_first.platform
            and {{ shop_id }} = {{ alias }}_first.shop_id
            and {{ agent_id }} = {{ alias }}_first.agent_id
            and {{ alias }}_first.version_number = 1
{%- endmacro %}

{% macro roster_of_day(column, alias='roster') -%}
    {#- A roster column (group_name, agent_name, routing_weight, …) of the version found by roster_of_day_joins. -#}
    case when {{ alias }}_day.agent_id is not null then {{ alias }}_day.{{ column }} else {{ alias }}_first.{{ column }} end
{%- endmacro %}
