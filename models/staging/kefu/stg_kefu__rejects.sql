{#- One row per rejected raw row, from every landing table. -#}
{%- set tables = landing_tables() | map('replace', 'raw_', '', 1) | list %}

with final as (
    {%- for t in tables %}
    select
        'raw_{{ t }}' as source_table,
        landing_row_id,
        _source_file as source_file,
        _row_key as row_key,
        _reject_reason as reject_reason,
        _reject_reason not like 'superseded by %' as is_error,
        _raw_values as raw_values
    from {{ ref('base_kefu__' ~ t) }}
    where _outcome = 'rejected'
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select * from final
