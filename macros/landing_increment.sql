{#-
    Incremental base models (docs/architecture.md "Daily run"): a daily run reads only the landing files it has not
    loaded yet, and re-classifies only the history those files can change.

    A landing file is identified by its version (path|size|modified time, landing.landing_files, written by the
    dbt plugin kefu/dbt_plugin.py before models compile). On an incremental run a base model
      1. reads the rows of the new file versions only (landing_rows);
      2. takes from its own table the rows the new rows can change: every row whose key appears in the new rows
         (a re-landed order, a duplicate, a conflicting copy), every row of a key that was in a file that has since
         been replaced or removed, exact copies of new rows with a null key, and the rows whose parent (the session of
         a message, the order of a line, ...) the parent model re-classified since this model last ran
         (rows_to_classify);
      3. classifies the union exactly as a full refresh would (classify_raw_rows), and the `landing_rows` strategy
         replaces those keys in the table (and drops the rows of replaced or removed files).
    Rows of keys no new file mentions cannot change, so the result equals a full refresh (tests_python checks it).
-#}

{% macro classified_at() -%}
    {#- The run's clock, stamped on every row a base model (re)classified in this run. -#}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro landing_rows(table_name) -%}
    {#- The raw rows a base model classifies: every landing file on a full refresh, only new file versions otherwise. -#}
    {%- set all_rows = source('kefu', table_name) -%}
    {%- if is_incremental() -%}
        {%- set loaded_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- if '_source_version' not in loaded_columns or '_classified_at' not in loaded_columns -%}
            {{ exceptions.raise_compiler_error("kefu: " ~ this ~ " was built by an older kefu (no _source_version): run "
                                               ~ "`dbt build --full-refresh` once") }}
        {%- endif -%}
        {#- the file versions this model has not loaded: landing.<table>__new, written by kefu/dbt_plugin.py -#}
        select * from {{ all_rows.incorporate(path={'identifier': table_name ~ '__new'}) }}
    {%- else -%}
        select * from {{ all_rows }}
    {%- endif -%}
{%- endmacro %}

{% macro current_file_versions(table_name) -%}
    {#- Subquery: the versions of one table's files the landing folder holds now (the hook's catalog). -#}
    (select source_version from landing.landing_files where table_name = '{{ table_name }}')
{%- endmacro %}

{% macro _derived_base_columns() -%}
    {{- return(['_field_reject_reason', '_copy_number', '_is_candidate', '_winning_version', '_variants_of_version',
                'landing_row_id', '_outcome', '_reject_reason', '_raw_values', '_classified_at']) -}}
{%- endmacro %}

{% macro rows_to_classify(new_rows, table_name, key_columns, parent=none, raw_columns=[]) %}
    {#-
        CTEs ending in `checked`: the rows classify_raw_rows judges — the new rows, plus (incremental runs) the rows
        of this table they can change (see the top of this file). `new_rows` carries _row_reject_reason (the checks
        of the row alone); the parent check is applied here to all of them:
        parent = {'model': 'base_kefu__sessions', 'column': 'session_id', 'parent_column': 'session_id',
                  'reason': 'message of an unknown session'}.
        raw_columns: the model's raw-values columns (raw_value_parts in `new_rows`). On an incremental run the stored
        rows have no parts: they carry the raw values stored with them (_raw__stored, kept only on rows that were
        rejected) and _raw__loaded = true, which select_classified reads.
    -#}
    {%- if is_incremental() %}
    {%- set derived = _derived_base_columns() -%}
    {%- set kept = [] -%}
    {%- for column in adapter.get_columns_in_relation(this) if column.name not in derived -%}
        {%- do kept.append(column.quoted) -%}
    {%- endfor %}
    {%- set parts = raw_part_names(raw_columns) %}
    replaced_versions as (
        -- file versions loaded before that the landing folder no longer holds (replaced or removed files)
        select distinct _source_version from {{ this }}
        where _source_version not in {{ current_file_versions(table_name) }}
    ),

    affected_keys as (
        select {{ key_columns | join(', ') }} from {{ new_rows }}
        union
        select {{ key_columns | join(', ') }} from {{ this }}
        where _source_version in (select _source_version from replaced_versions)
        {%- if parent %}
        union
        select {{ key_columns | join(', ') }} from {{ this }}
        where {{ parent.column }} in (
            select {{ parent.parent_column }} from {{ ref(parent.model) }}
            where _classified_at > (select max(_classified_at) from {{ this }})
        )
        {%- endif %}
    ),

    prior_rows as (
        select {% for c in kept %}loaded.{{ c }}, {% endfor %}loaded._raw_values as _raw__stored
        from {{ this }} as loaded
        inner join affected_keys
            on {% for k in key_columns %}loaded.{{ k }} = affected_keys.{{ k }}{{ " and " if not loop.last }}{% endfor %}
        where loaded._source_version not in (select _source_version from replaced_versions)
        union all
        -- a null key joins nothing: its earlier exact copies are found by fingerprint
        select {% for c in kept %}loaded.{{ c }}, {% endfor %}loaded._raw_values as _raw__stored
        from {{ this }} as loaded
        where
            ({% for k in key_columns %}loaded.{{ k }} is null{{ " or " if not loop.last }}{% endfor %})
            and loaded._fingerprint in (select _fingerprint from {{ new_rows }})
            and loaded._source_version not in (select _source_version from replaced_versions)
    ),

    unclassified as (
        select
            {{ kept | join(', ') }},{% for p in parts %} {{ p }},{% endfor %}
            false as _raw__loaded,
            cast(null as string) as _raw__stored
        from {{ new_rows }}
        union all
        select
            {{ kept | join(', ') }},{% for p in parts %} cast(null as string) as {{ p }},{% endfor %}
            true as _raw__loaded,
            _raw__stored
        from prior_rows
    ),
    {%- else %}
    unclassified as (
        select * from {{ new_rows }}
    ),
    {%- endif %}

    {%- if parent %}
    parents as (
        select {{ parent.parent_column }} from {{ ref(parent.model) }} where _outcome = 'staged'
    ),
    {%- endif %}

    checked as {{ materialized_cte() }} (
        select
            unclassified.*,
            {%- if parent %}
            coalesce(
                unclassified._row_reject_reason,
                case when parents.{{ parent.parent_column }} is null then '{{ parent.reason }}' end
            ) as _field_reject_reason
            {%- else %}
            unclassified._row_reject_reason as _field_reject_reason
            {%- endif %}
        from unclassified
        {%- if parent %}
        left join parents
            on unclassified.{{ parent.column }} = parents.{{ parent.parent_column }}
        {%- endif %}
    )
{% endmacro %}

{% macro get_incremental_landing_rows_sql(arg_dict) %}
    {#-
        Custom incremental strategy `landing_rows` (config key_columns): the batch holds every current row of the keys
        it touches, so the table's rows of those keys (and null-key rows with the batch's fingerprints) are deleted,
        with the rows of file versions the landing folder no longer holds, and the batch is inserted.
    -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set key_columns = config.require('key_columns') -%}
    {%- set table_name = config.require('landing_table') -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }}
    where
        exists (
            select 1 from {{ temp }} as batch
            where {% for k in key_columns %}batch.{{ k }} = {{ target }}.{{ k }}{{ " and " if not loop.last }}{% endfor %}
        )
        or _fingerprint in (select _fingerprint from {{ temp }})
        or _source_version not in {{ current_file_versions(table_name) }};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ temp }}
{% endmacro %}
