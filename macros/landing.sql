{% macro landing_path() -%}
    {{- env_var('KEFU_LANDING_PATH', var('landing_path')) -}}
{%- endmacro %}

{% macro landing_tables() -%}
    {#- The contract's table names in load order, for models that must list their refs while dbt parses (graph, which
        holds the sources YAML, is empty then). prepare_landing stops the run if this list and the sources YAML ever
        disagree, so the YAML stays the one contract. -#}
    {{- return(['raw_sessions', 'raw_messages', 'raw_orders', 'raw_order_items', 'raw_agents',
                'raw_agent_status', 'raw_ratings', 'raw_faq_questions', 'raw_faq_events', 'raw_visits']) -}}
{%- endmacro %}

{% macro landing_contract() %}
    {#- The raw contract as read from the sources YAML: [{name, required, columns: [{name, required}]}]. -#}
    {% set tables = [] %}
    {% for node in graph.sources.values() if node.package_name == 'kefu' and node.source_name == 'kefu' %}
        {% set columns = [] %}
        {% for column in node.columns.values() %}
            {% do columns.append({'name': column.name, 'required': column.meta.get('required', false)}) %}
        {% endfor %}
        {% do tables.append({'name': node.name, 'required': node.meta.get('required', false), 'columns': columns}) %}
    {% endfor %}
    {{ return(tables | sort(attribute='name')) }}
{% endmacro %}

{% macro _landing_fail(message) %}
    {{ exceptions.raise_compiler_error("kefu landing: " ~ message) }}
{% endmacro %}

{% macro _csv_encoding(relative_path) %}
    {#-
        Declared encoding of a CSV landing file: env KEFU_CSV_ENCODING is `gbk` (every CSV) or a comma list of
        `<table or file pattern>=<encoding>`, e.g. `raw_agents=gbk,raw_messages/qianniu_*.csv=gbk`. Default utf-8.
    -#}
    {% set setting = env_var('KEFU_CSV_ENCODING', '') | trim %}
    {% if setting and '=' not in setting %}{{ return(setting | lower) }}{% endif %}
    {% for item in setting.split(',') if '=' in item %}
        {% set pattern, encoding = item.split('=', 1) %}
        {% set pattern = pattern | trim %}
        {% set regex = '^' ~ (modules.re.escape(pattern) | replace('\\*', '[^/]*') | replace('\\?', '[^/]')) ~ '(/.*)?$' %}
        {% if modules.re.match(regex, relative_path) %}{{ return(encoding | trim | lower) }}{% endif %}
    {% endfor %}
    {{ return('utf-8') }}
{% endmacro %}

{% macro _load_window_end(relative_path, modified_at) %}
    {#-
        Exclusive upper bound of plausible timestamps in one landing file (DECISIONLOG "Implausible timestamps"):
        var latest_plausible_date + 1 day when set; else the business date in the file's path (`date=YYYY-MM-DD`)
        + 2 days (no later than the day after it); else the file's modification date (the load's clock) + 2 days.
    -#}
    {% set dated = modules.re.search('(^|/)date=(\\d{4}-\\d{2}-\\d{2})(/|$)', relative_path) %}
    {% if var('latest_plausible_date') is not none %}
        {{ return("cast('" ~ var('latest_plausible_date') ~ "' as date) + interval 1 day") }}
    {% elif dated %}
        {{ return("cast('" ~ dated.group(2) ~ "' as date) + interval 2 day") }}
    {% else %}
        {{ return("cast('" ~ modified_at.strftime('%Y-%m-%d') ~ "' as date) + interval 2 day") }}
    {% endif %}
{% endmacro %}

{% macro _landing_files(root, table) %}
    {#- Usable files of one landing table: [{path, relative, kind, encoding, modified_at}]; empty ones are noticed. -#}
    {% set listing = run_query("select file from glob('" ~ root ~ "/" ~ table ~ "/**') order by file") %}
    {% set candidates = [] %}
    {% for row in listing.rows %}
        {% set relative = row[0][(root | length) + 1:] %}
        {% set name = relative.split('/')[-1] | lower %}
        {% if '/.' not in '/' ~ relative and (name.endswith('.parquet') or name.endswith('.csv')) %}
            {% do candidates.append({'path': row[0], 'relative': relative,
                                     'kind': 'parquet' if name.endswith('.parquet') else 'csv'}) %}
        {% endif %}
    {% endfor %}
    {% set files = [] %}
    {% if candidates %}
        {% set paths = [] %}
        {% for f in candidates %}{% do paths.append("'" ~ f.path ~ "'") %}{% endfor %}
        {% set blobs = run_query("select filename, size, cast(last_modified as timestamp) from read_blob(["
                                 ~ paths | join(', ') ~ "]) order by filename") %}
        {#- one lookup per file (not a scan of the listing per file: the hook's cost stays linear in the files) -#}
        {% set by_path = {} %}
        {% for blob in blobs.rows %}{% do by_path.update({blob[0]: blob}) %}{% endfor %}
        {% for f in candidates if f.path in by_path %}
            {% set blob = by_path[f.path] %}
            {% if blob[1] == 0 %}
                {{ log("kefu landing: " ~ f.relative ~ " is an empty file (0 bytes): skipped", info=true) }}
            {% else %}
                {% do f.update({'modified_at': blob[2], 'size': blob[1], 'encoding': _csv_encoding(f.relative),
                                'version': f.relative ~ '|' ~ blob[1] ~ '|' ~ blob[2]}) %}
                {% do files.append(f) %}
            {% endif %}
        {% endfor %}
    {% endif %}
    {{ return(files) }}
{% endmacro %}

{% macro _landing_reader(files) -%}
    {#- One table function reading a list of landing files of one kind (CSV: their UTF-8 read paths), by column name. -#}
    {%- set paths = [] -%}
    {%- for f in files %}{% do paths.append("'" ~ f.read_path ~ "'") %}{% endfor -%}
    {%- if files[0].kind == 'parquet' -%}
        read_parquet([{{ paths | join(', ') }}], union_by_name = true, filename = true, hive_partitioning = false)
    {%- else -%}
        read_csv([{{ paths | join(', ') }}], header = true, all_varchar = true, union_by_name = true, filename = true,
                 hive_partitioning = false)
    {%- endif -%}
{%- endmacro %}

{% macro _utf8_copy(f, root) %}
    {#- Where `kefu check-landing` writes the UTF-8 copy of a CSV declared in another encoding; fails when it is stale. -#}
    {% set db_path = env_var('KEFU_DB_PATH', 'data/build/kefu.duckdb') %}
    {% set cache = (db_path.rsplit('/', 1)[0] if '/' in db_path else '.') ~ '/landing_utf8/' ~ f.relative %}
    {% set found = run_query("select cast(last_modified as timestamp) from read_blob(["
                             ~ "'" ~ cache ~ "']) where exists (select 1 from glob('" ~ cache ~ "'))")
        if run_query("select count(*) from glob('" ~ cache ~ "')").columns[0].values()[0] > 0 else none %}
    {% if found is none or found.rows[0][0] != f.modified_at %}
        {{ _landing_fail(f.relative ~ " is declared " ~ f.encoding ~ " (KEFU_CSV_ENCODING) but has no current UTF-8 copy: "
                         ~ "run `kefu check-landing` (it converts it) before dbt") }}
    {% endif %}
    {{ return(cache) }}
{% endmacro %}

{% macro _check_file_schemas(table, files) %}
    {#-
        Every file must carry the contract's required columns in a readable (non-nested) type; returns union columns.
        A file's columns are read once per file version and kept in landing.file_columns, so a daily or intraday run
        describes only the files that are new since the last run (hundreds of date-partitioned files otherwise).
    -#}
    {% do run_query("create table if not exists landing.file_columns (source_version varchar, f varchar, "
                    ~ "column_name varchar, column_type varchar)") %}
    {% set versions = [] %}
    {% for f in files %}{% do versions.append("'" ~ f.version ~ "'") %}{% endfor %}
    {% set known = run_query("select distinct source_version from landing.file_columns where source_version in ("
                             ~ versions | join(', ') ~ ")").columns[0].values() %}
    {% set parts = [] %}
    {% for f in files if f.version not in known %}
        {% do parts.append("select '" ~ f.version ~ "' as source_version, '" ~ f.relative ~ "' as f, column_name, "
                           ~ "column_type from (describe select * from " ~ _landing_reader([f]) ~ ")") %}
    {% endfor %}
    {% if parts %}
        {% do run_query("insert into landing.file_columns " ~ parts | join(' union all ')) %}
    {% endif %}
    {% set described = run_query("select f, column_name, column_type from landing.file_columns where source_version in ("
                                 ~ versions | join(', ') ~ ") order by f, column_name") %}
    {% set present = {} %}
    {% for row in described.rows %}
        {% if row[1] not in ('filename',) %}
            {% if modules.re.search('\\[|^STRUCT|^MAP|^UNION', row[2]) %}
                {{ _landing_fail(table.name ~ ": file " ~ row[0] ~ ", column " ~ row[1] ~ ": unreadable type " ~ row[2]
                                 ~ " (expected text, number, boolean or timestamp)") }}
            {% endif %}
            {% do present.update({row[0] ~ '|' ~ row[1]: row[1]}) %}
        {% endif %}
    {% endfor %}
    {% for f in files %}
        {% for column in table.columns if column.required and (f.relative ~ '|' ~ column.name) not in present %}
            {{ _landing_fail(table.name ~ ": file " ~ f.relative ~ " has no column " ~ column.name
                             ~ " (required by the raw contract)") }}
        {% endfor %}
    {% endfor %}
    {{ return(present.values() | unique | list) }}
{% endmacro %}

{% macro landing_select(table, files, present) -%}
    {#-
        A select over some landing files of one contract table: the contract's columns (absent optional ones as null),
        plus _source_file (path under the landing root), _source_version (path|size|modified: a changed file is a new
        version) and _load_window_end. Each file needs read_path, relative, kind, version and either modified_at or
        load_window_end (a timestamp literal).
    -#}
    {%- set readers, bounds, columns = [], [], [] -%}
    {%- for kind in ['parquet', 'csv'] -%}
        {%- set of_kind = files | selectattr('kind', 'equalto', kind) | list -%}
        {%- if of_kind %}{% do readers.append("select * from " ~ _landing_reader(of_kind)) %}{% endif -%}
    {%- endfor -%}
    {%- for f in files -%}
        {%- set bound = ("cast('" ~ f.load_window_end ~ "' as timestamp)") if f.load_window_end is defined
            else _load_window_end(f.relative, f.modified_at) -%}
        {%- do bounds.append("('" ~ f.read_path ~ "', '" ~ f.relative ~ "', '" ~ f.version ~ "', " ~ bound ~ ")") -%}
    {%- endfor -%}
    {%- for column in table.columns -%}
        {%- do columns.append(("data." ~ column.name) if column.name in present
                             else ("cast(null as varchar) as " ~ column.name)) -%}
    {%- endfor -%}
    with files (read_path, _source_file, _source_version, _load_window_end) as (values {{ bounds | join(', ') }}),
    data as ({{ readers | join(' union all by name ') }})
    select {{ columns | join(', ') }}, files._source_file, files._source_version,
        cast(files._load_window_end as timestamp) as _load_window_end
    from data inner join files on data.filename = files.read_path
{%- endmacro %}

{% macro prepare_landing() %}
    {#- Dispatched: DuckDB (adapters/landing_duckdb.sql) and Spark (adapters/landing_spark.sql). -#}
    {{ return(adapter.dispatch('prepare_landing', 'kefu')()) }}
{% endmacro %}

{% macro record_changed_days() %}
    {#-
        landing.changed_days (one row): the earliest `date=` folder among the file versions this run loads or drops —
        new, re-exported or removed files, compared with the versions the base models hold — or null. A daily run
        recomputes every look-back model from that day on as well as from its own look-back (macro lookback_start),
        so a late or re-exported file of an old day changes the marts exactly as a full refresh would. Files outside
        `date=` folders do not move the start (their rows count from the look-back of the latest date).
    -#}
    {% set parts = [] %}
    {% for table in landing_contract() %}
        {% set base = adapter.get_relation(database=target.database, schema='staging',
                                           identifier='base_kefu__' ~ table.name[4:]) %}
        {% if base is not none %}
            {#- a version in the folder the base model has not loaded, or one it loaded that the folder no longer holds -#}
            {% do parts.append("select coalesce(now.source_file, loaded._source_file) as source_file from (select "
                               ~ "source_file, source_version from landing.landing_files where table_name = '"
                               ~ table.name ~ "') as now full join (select distinct _source_file, _source_version from "
                               ~ base ~ " where _source_version is not null) as loaded on now.source_version = "
                               ~ "loaded._source_version where now.source_version is null or loaded._source_version "
                               ~ "is null") %}
        {% endif %}
    {% endfor %}
    {% do run_query("create or replace table landing.changed_days as select "
                    ~ ("min(try_cast(regexp_extract(source_file, 'date=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date))"
                       if parts else "cast(null as date)") ~ " as earliest_changed_date"
                    ~ ((" from (" ~ parts | join(' union all ') ~ ")") if parts else "")) %}
{% endmacro %}
