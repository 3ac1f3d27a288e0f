{% macro hash_buyer(column) -%}
    {#- Salted pseudonym of a buyer/visitor account. The salt comes from KEFU_BUYER_SALT; the default is for the sample only. -#}
    case when {{ column }} is not null
        then md5('{{ env_var("KEFU_BUYER_SALT", "kefu-dev-salt") }}' || cast({{ column }} as string)) end
{%- endmacro %}
