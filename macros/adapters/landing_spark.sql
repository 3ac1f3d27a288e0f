{#-
    The landing hook on Spark (dbt-spark): the same views landing.<table> as default__prepare_landing (DuckDB), with
    the same columns, `_source_file` (path relative to the landing root) and `_load_window_end`, built with Spark SQL
    only: the `binaryFile` source lists the files (path, size, modification time; the content is not read), `DESCRIBE
    QUERY` reads each file's schema, and each view is a `union all` of one `parquet.<path>` read per file. CSV landing
    files are not read on Spark: convert them with `kefu ingest-csv` (DECISIONLOG "Spark").
-#}

{% macro _spark_load_window_end(relative_path, modified_date) %}
    {#- Same rule as _load_window_end (landing.sql), as a Spark timestamp expression; modified_date is 'YYYY-MM-DD'. -#}
    {% set dated = modules.re.search('(^|/)date=(\\d{4}-\\d{2}-\\d{2})(/|$)', relative_path) %}
    {% if var('latest_plausible_date') is not none %}
        {{ return("cast(date_add(cast('" ~ var('latest_plausible_date') ~ "' as date), 1) as timestamp)") }}
    {% elif dated %}
        {{ return("cast(date_add(cast('" ~ dated.group(2) ~ "' as date), 2) as timestamp)") }}
    {% else %}
        {{ return("cast(date_add(cast('" ~ modified_date ~ "' as date), 2) as timestamp)") }}
    {% endif %}
{% endmacro %}

{% macro _spark_landing_listing(root) %}
    {#- Every visible file under the landing root: [{path, relative, table, size, modified_date}]. -#}
    {% do run_query("create or replace temporary view kefu_landing_listing using binaryFile "
                    ~ "options (path '" ~ root ~ "', recursiveFileLookup 'true')") %}
    {% set listing = run_query("select path, length, date_format(modificationTime, 'yyyy-MM-dd'), "
                               ~ "date_format(modificationTime, 'yyyy-MM-dd HH:mm:ss.SSS') "
                               ~ "from kefu_landing_listing order by path") %}
    {% set pattern = '^(.*?)/(' ~ landing_tables() | join('|') ~ ')/(.+)$' %}
    {% set files = [] %}
    {% for row in listing.rows %}
        {% set found = modules.re.match(pattern, row[0]) %}
        {% if found and '/.' not in '/' ~ found.group(3) %}
            {% do files.append({'path': row[0], 'table': found.group(2), 'relative': found.group(2) ~ '/' ~ found.group(3),
                                'size': row[1], 'modified_date': row[2],
                                'version': found.group(2) ~ '/' ~ found.group(3) ~ '|' ~ row[1] ~ '|' ~ row[3]}) %}
        {% endif %}
    {% endfor %}
    {{ return(files) }}
{% endmacro %}

{% macro spark__prepare_landing() %}
    {% if execute and flags.WHICH in ('build', 'run', 'test', 'seed', 'compile', 'show') %}
        {% set root = landing_path() | replace('\\', '/') %}
        {% set root = root[:-1] if root.endswith('/') else root %}
        {% set listing = _spark_landing_listing(root) %}
        {% if not listing %}
            {{ _landing_fail("landing folder empty or without table folders: " ~ root ~ " (set KEFU_LANDING_PATH or "
                             ~ "--vars 'landing_path: ...', or run `make sample`)") }}
        {% endif %}
        {% do run_query("create schema if not exists landing") %}
        {% for table in landing_contract() %}
            {% set files = [] %}
            {% for f in listing if f.table == table.name %}
                {% set name = f.relative.split('/')[-1] | lower %}
                {% if name.endswith('.csv') %}
                    {{ _landing_fail(table.name ~ ": " ~ f.relative ~ " is a CSV file: the Spark build reads Parquet "
                                     ~ "only (convert it with `kefu ingest-csv`)") }}
                {% elif name.endswith('.parquet') and f.size == 0 %}
                    {{ log("kefu landing: " ~ f.relative ~ " is an empty file (0 bytes): skipped", info=true) }}
                {% elif name.endswith('.parquet') %}
                    {% do files.append(f) %}
                {% endif %}
            {% endfor %}
            {% if not files %}
                {% if table.required %}
                    {{ _landing_fail(table.name ~ " is required but " ~ root ~ "/" ~ table.name
                                     ~ "/ holds no non-empty Parquet file") }}
                {% endif %}
                {{ log("kefu landing: optional table " ~ table.name ~ " is absent or empty (" ~ root ~ "/" ~ table.name
                       ~ "/): it counts as empty", info=true) }}
                {% set columns = [] %}
                {% for column in table.columns %}{% do columns.append("cast(null as string) as " ~ column.name) %}{% endfor %}
                {% do run_query("create or replace view landing." ~ table.name ~ " as select " ~ columns | join(', ')
                                ~ ", cast(null as string) as _source_file, cast(null as string) as _source_version, "
                                ~ "cast(null as timestamp) as _load_window_end where false") %}
            {% else %}
                {% set selects = [] %}
                {% for f in files %}
                    {% set reader = "parquet.`" ~ f.path ~ "`" %}
                    {% set described = run_query("describe query select * from " ~ reader) %}
                    {% set present = {} %}
                    {% for row in described.rows %}
                        {% if modules.re.search('^(struct|array|map)', row[1] | lower) %}
                            {{ _landing_fail(table.name ~ ": file " ~ f.relative ~ ", column " ~ row[0]
                                             ~ ": unreadable type " ~ row[1]
                                             ~ " (expected text, number, boolean or timestamp)") }}
                        {% endif %}
                        {% do present.update({row[0]: row[1]}) %}
                    {% endfor %}
                    {% set columns = [] %}
                    {% for column in table.columns %}
                        {% if column.required and column.name not in present %}
                            {{ _landing_fail(table.name ~ ": file " ~ f.relative ~ " has no column " ~ column.name
                                             ~ " (required by the raw contract)") }}
                        {% endif %}
                        {% do columns.append(("`" ~ column.name ~ "`") if column.name in present
                                             else ("cast(null as string) as " ~ column.name)) %}
                    {% endfor %}
                    {% do selects.append("select " ~ columns | join(', ') ~ ", '" ~ f.relative ~ "' as _source_file, '"
                                         ~ f.version ~ "' as _source_version, "
                                         ~ _spark_load_window_end(f.relative, f.modified_date)
                                         ~ " as _load_window_end from " ~ reader) %}
                {% endfor %}
                {% do run_query("create or replace view landing." ~ table.name ~ " as "
                                ~ selects | join(' union all ')) %}
            {% endif %}
        {% endfor %}
    {% endif %}
    select 1
{% endmacro %}
