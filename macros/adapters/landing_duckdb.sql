{#- The landing hook on DuckDB: the views landing.<table> over the landing files (macros/landing.sql has the
    dispatching macro and the rules both adapters share; adapters/landing_spark.sql is the Spark one). -#}

{% macro default__prepare_landing() %}
    {#-
        on-run-start: checks every landing file against the raw contract (sources YAML) and exposes each table as the
        view landing.<table> that the sources read. Required tables (meta.required) must have a non-empty file; an
        absent, empty or 0-byte-only optional table becomes an empty view, with one notice line. A missing required
        column, a nested type or an unreadable file stops the run with one line naming the table, file and column.
    -#}
    {% if execute and flags.WHICH in ('build', 'run', 'test', 'seed', 'compile', 'show') %}
        {% set root = landing_path() | replace('\\', '/') %}
        {% set root = root[:-1] if root.endswith('/') else root %}
        {#- glob() lists files, not folders: '**' finds the files inside the table folders (a landing root holds
            only table folders, e.g. raw_sessions/part-0.parquet or raw_messages/date=2026-11-01/part-0.parquet) -#}
        {% if run_query("select count(*) from glob('" ~ root ~ "/**')").columns[0].values()[0] == 0 %}
            {{ _landing_fail("landing folder missing or empty: " ~ root ~ " (set KEFU_LANDING_PATH or --vars "
                             ~ "'landing_path: ...' to the folder holding raw_sessions/, raw_messages/, ..., or run "
                             ~ "`make sample`)") }}
        {% endif %}
        {% set generated = run_query("select count(*) from glob('" ~ root ~ "/_manifest.json')").columns[0].values()[0] %}
        {% if env_var('KEFU_BUYER_SALT', '') == '' and generated == 0 %}
            {{ log("WARNING: KEFU_BUYER_SALT is not set: buyer pseudonyms use the public development salt. Set it to a "
                   ~ "secret of your own for real exports (the default is meant for the generated sample only).",
                   info=true) }}
        {% endif %}
        {% set declared = landing_contract() | map(attribute='name') | sort | list %}
        {% if declared != (landing_tables() | sort | list) %}
            {{ _landing_fail("the sources YAML lists " ~ declared | join(', ') ~ " but macro landing_tables() lists "
                             ~ landing_tables() | sort | join(', ') ~ ": add the table to both") }}
        {% endif %}
        {% do run_query("create schema if not exists landing") %}
        {% set catalog = [] %}
        {% for table in landing_contract() %}
            {% set files = _landing_files(root, table.name) %}
            {% if not files %}
                {% if table.required %}
                    {{ _landing_fail(table.name ~ " is required but " ~ root ~ "/" ~ table.name
                                     ~ "/ holds no non-empty Parquet or CSV file") }}
                {% endif %}
                {{ log("kefu landing: optional table " ~ table.name ~ " is absent or empty (" ~ root ~ "/" ~ table.name
                       ~ "/): it counts as empty", info=true) }}
                {% set columns = [] %}
                {% for column in table.columns %}{% do columns.append("cast(null as varchar) as " ~ column.name) %}{% endfor %}
                {% do run_query("create or replace view landing." ~ table.name ~ " as select " ~ columns | join(', ')
                                ~ ", cast(null as varchar) as _source_file, cast(null as varchar) as _source_version, "
                                ~ "cast(null as timestamp) as _load_window_end where false") %}
            {% else %}
                {% for f in files %}
                    {% set utf8 = f.kind == 'parquet' or f.encoding in ('utf-8', 'utf8') %}
                    {% do f.update({'read_path': f.path if utf8 else _utf8_copy(f, root)}) %}
                {% endfor %}
                {% set present = _check_file_schemas(table, files) %}
                {% do run_query("create or replace view landing." ~ table.name ~ " as "
                                ~ landing_select(table, files, present)) %}
                {% for f in files %}
                    {% do catalog.append("('" ~ table.name ~ "', '" ~ f.relative ~ "', '" ~ f.read_path ~ "', '"
                                         ~ f.kind ~ "', '" ~ f.version ~ "', "
                                         ~ _load_window_end(f.relative, f.modified_at) ~ ")") %}
                {% endfor %}
            {% endif %}
        {% endfor %}
        {#- the file catalog incremental base models compare with the files they already loaded (landing_rows) -#}
        {% do run_query("create or replace table landing.landing_files as select table_name, source_file, read_path, kind, "
                        ~ "source_version, cast(load_window_end as timestamp) as load_window_end from (values "
                        ~ catalog | join(', ') ~ ") as files (table_name, source_file, read_path, kind, source_version, "
                        ~ "load_window_end)") %}
        {{ record_changed_days() }}
        {#- forget the columns of file versions the folder no longer holds -#}
        {% do run_query("delete from landing.file_columns where source_version not in ("
                        ~ "select source_version from landing.landing_files)") %}
    {% endif %}
    select 1
{% endmacro %}
