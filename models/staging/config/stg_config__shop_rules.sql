{#- One row per per-shop rule override (自定义绩效配置): typed, after the seed's contract is checked (bad rows stop the build). -#}
{{ assert_valid_shop_rules(ref('shop_rules'), ref('shops')) }}

with source as (
    select * from {{ ref('shop_rules') }}
),

final as (
    select
        {{ normalise_enum('platform') }} as platform,
        trim(cast(shop_id as varchar)) as shop_id,
        cast(trim(effective_from) as date) as effective_from,
        {%- for name, kind in shop_rule_specs().items() %}
        {%- set v = "nullif(trim(cast(" ~ name ~ " as varchar)), '')" %}
        {%- if kind == 'bool' %}
        lower({{ v }}) = 'true' as {{ name }}{{ "," if not loop.last }}
        {%- elif kind in ('int0', 'int1') %}
        cast({{ v }} as integer) as {{ name }}{{ "," if not loop.last }}
        {%- else %}
        {{ v }} as {{ name }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from source
)

select * from final
