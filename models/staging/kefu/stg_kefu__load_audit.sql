{#- One row per landing table: raw rows read from the landing files and where each one ended. -#}
{%- set tables = landing_tables() | map('replace', 'raw_', '', 1) | list %}

with rejects as (
    select
        source_table,
        count(*) as rejected_rows,
        sum(case when is_error then 1 else 0 end) as error_rows
    from {{ ref('stg_kefu__rejects') }}
    group by source_table
),

counts as (
    {%- for t in tables %}
    select
        'raw_{{ t }}' as source_table,
        (select count(*) from {{ source('kefu', 'raw_' ~ t) }}) as raw_rows,
        (select count(*) from {{ ref('stg_kefu__' ~ t) }}) as staged_rows,
        (select count(*) from {{ ref('base_kefu__' ~ t) }} where _outcome = 'duplicate') as duplicate_rows
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        counts.source_table,
        counts.raw_rows,
        counts.staged_rows,
        counts.duplicate_rows,
        coalesce(rejects.rejected_rows, 0) as rejected_rows,
        coalesce(rejects.error_rows, 0) as error_rejected_rows
    from counts
    left join rejects
        on counts.source_table = rejects.source_table
)

select * from final
