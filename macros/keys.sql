{% macro reception_id(platform, shop_id, agent_id, buyer_key, reception_date) -%}
    {#- Surrogate key of a reception: one per (platform, shop, agent, buyer, business date). -#}
    md5(concat_ws('|', {{ platform }}, {{ shop_id }}, {{ agent_id }}, {{ buyer_key }}, cast({{ reception_date }} as string)))
{%- endmacro %}
