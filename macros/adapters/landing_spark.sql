{#-
    The landing views on Spark (dbt-spark): the same views landing.<table> as on DuckDB (kefu/dbt_plugin.py), with the
    same columns, `_source_file` (path relative to the landing root), `_source_version` and `_load_window_end`. The
    files, their columns and load-window ends come from the catalog `kefu check-landing --catalog` writes (env
    KEFU_LANDING_CATALOG; kefu/landing.py checked every file against the raw contract): each view is a `union all` of
    one `parquet.<path>` read per file. CSV landing files are not read on Spark: convert them with `kefu ingest-csv`
    (DECISIONLOG "Spark").
-#}

{% macro spark__prepare_landing() %}
    {% if execute and flags.WHICH in ('build', 'run', 'test', 'seed', 'compile', 'show') %}
        {% set catalog_path = env_var('KEFU_LANDING_CATALOG', '') %}
        {% if not catalog_path %}
            {{ _landing_fail("KEFU_LANDING_CATALOG is not set: run `kefu check-landing --catalog <file>` and point "
                             ~ "KEFU_LANDING_CATALOG at that file before the Spark build (`make spark-build` does)") }}
        {% endif %}
        {% set listing = run_query("select table_name, source_file, read_path, kind, source_version, load_window_end, "
                                   ~ "columns from json.`" ~ catalog_path ~ "` order by table_name, source_file") %}
        {% do run_query("create schema if not exists landing") %}
        {% set views = [] %}
        {% for table in landing_contract() %}
            {% set selects = [] %}
            {% for f in listing.rows if f[0] == table.name %}
                {% if f[3] != 'parquet' %}
                    {{ _landing_fail(table.name ~ ": " ~ f[1] ~ " is a CSV file: the Spark build reads Parquet "
                                     ~ "only (convert it with `kefu ingest-csv`)") }}
                {% endif %}
                {% set present = f[6].split(',') %}
                {% set columns = [] %}
                {% for column in table.columns %}
                    {% do columns.append(("`" ~ column.name ~ "`") if column.name in present
                                         else ("cast(null as string) as " ~ column.name)) %}
                {% endfor %}
                {% set window_end = ("cast(date_add(cast('" ~ var('latest_plausible_date') ~ "' as date), 1) as timestamp)")
                    if var('latest_plausible_date') is not none else ("cast('" ~ f[5] ~ "' as timestamp)") %}
                {% do selects.append("select " ~ columns | join(', ') ~ ", '" ~ f[1] ~ "' as _source_file, '"
                                     ~ f[4] ~ "' as _source_version, " ~ window_end
                                     ~ " as _load_window_end from parquet.`" ~ f[2] ~ "`") %}
            {% endfor %}
            {% if not selects %}
                {% set columns = [] %}
                {% for column in table.columns %}{% do columns.append("cast(null as string) as " ~ column.name) %}{% endfor %}
                {% do selects.append("select " ~ columns | join(', ') ~ ", cast(null as string) as _source_file, "
                                     ~ "cast(null as string) as _source_version, cast(null as timestamp) as "
                                     ~ "_load_window_end where false") %}
            {% endif %}
            {% do views.append((table.name, selects | join(' union all '))) %}
        {% endfor %}
        {% for name, sql in views %}
            {% do run_query("create or replace view landing." ~ name ~ " as " ~ sql) %}
        {% endfor %}
    {% endif %}
    select 1
{% endmacro %}
