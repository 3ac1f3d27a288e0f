{#-
    Zoned landing timestamps (DECISIONLOG "Zoned timestamps"). The contract's timestamps are shop-local wall clock,
    but Pandas and Spark write tz-aware datetimes as Parquet TIMESTAMP WITH TIME ZONE (UTC instants), and some
    exports write text with an offset (`+08:00`, `+0800`, `Z`). Such a value names one moment: staging converts it
    to the wall clock of the row's shop time zone (seeds/shops.csv `timezone`; var default_shop_timezone when the shop
    is not in the seed or the cell is empty) and stages a naive shop-local timestamp. Naive values are never shifted.
-#}

{% macro default_shop_timezone() -%}
    {#- The zone of a shop without one in seeds/shops.csv: var default_shop_timezone (Asia/Shanghai). -#}
    {{- return(var('default_shop_timezone', 'Asia/Shanghai') | string | trim) -}}
{%- endmacro %}

{% macro shop_timezone(column) -%}
    {#- A shop's time zone from a (possibly null or blank) timezone cell: the cell, else the default zone. -#}
    coalesce(nullif(trim(cast({{ column }} as string)), ''), {{ string_literal(default_shop_timezone()) }})
{%- endmacro %}

{% macro zoned_text_pattern() -%}
    {#- Text ending in a UTC offset or Z after a time of day: `10:00:00+08:00`, `10:00+0800`, `02:00:00.5Z`, `10:00 +08`. -#}
    {{- return('\\d:\\d{2}(:\\d{2}(\\.\\d+)?)?\\s*(Z|[+-]\\d{2}(:?\\d{2})?)$') -}}
{%- endmacro %}

{% macro with_shop_timezone(relation, platform='platform', shop_id='shop_id') -%}
    {#-
        Select body: every column of `relation` plus _shop_timezone, the time zone of the row's shop (platform and
        shop_id on the row, matched like the staged columns: platform lower/trim, shop_id as text).
    -#}
    select
        {{ relation }}.*{{ mixed_zone_file_repairs(relation) }},
        {{ shop_timezone('shop_zones.timezone') }} as _shop_timezone
    from {{ relation }}
    left join {{ ref('stg_config__shops') }} as shop_zones
        on
            {{ normalise_enum(relation ~ '.' ~ platform) }} = shop_zones.platform
            and cast({{ relation }}.{{ shop_id }} as string) = shop_zones.shop_id
{%- endmacro %}

{% macro with_parent_timezone(relation, column, parent_model, parent_column) -%}
    {#-
        Select body: every column of `relation` plus _shop_timezone, for a table without the shop on the row: the
        zone of the shop of its staged parent row (a message's or rating's session, a status row's agent), the
        default zone when the parent is not staged (the row is then rejected as an orphan anyway, or, for agent
        status, the agent is not in the roster).
    -#}
    select
        {{ relation }}.*{{ mixed_zone_file_repairs(relation) }},
        {{ shop_timezone('parent_zones.timezone') }} as _shop_timezone
    from {{ relation }}
    left join (
        -- staged parent rows are one per key (classify_raw_rows)
        select
            parents.{{ parent_column }} as parent_key,
            shops.timezone
        from {{ ref(parent_model) }} as parents
        inner join {{ ref('stg_config__shops') }} as shops
            on parents.platform = shops.platform and parents.shop_id = shops.shop_id
        where parents._outcome = 'staged'
    ) as parent_zones
        on cast({{ relation }}.{{ column }} as string) = parent_zones.parent_key
{%- endmacro %}

{% macro mixed_zone_file_repairs(relation) -%}
    {#-
        A column that is TIMESTAMP WITH TIME ZONE in some landing files of this model's table (config landing_table)
        and a naive TIMESTAMP (or DATE) in others: DuckDB reads the union as TIMESTAMP WITH TIME ZONE, turning the
        naive values into instants at the session time zone. This returns ` replace (...)` (or nothing when no column
        mixes) that renders such a column as text per row: the naive files' values back as naive wall clock (the
        inverse cast, same session zone), the zoned files' values with their offset, so only the latter are converted.
        Read from the landing hook's per-file column types (landing.file_columns).
    -#}
    {{ return(adapter.dispatch('mixed_zone_file_repairs', 'kefu')(relation)) }}
{%- endmacro %}

{% macro default__mixed_zone_file_repairs(relation) -%}
    {%- set table_name = config.get('landing_table') -%}
    {%- if not execute or not table_name -%}{{ return('') }}{%- endif -%}
    {%- set hook_tables = run_query("select count(*) from duckdb_tables() where schema_name = 'landing' "
                                    ~ "and table_name in ('file_columns', 'landing_files')").columns[0].values()[0] -%}
    {%- if hook_tables < 2 -%}{{ return('') }}{%- endif -%}
    {%- set mixed = run_query(
        "select fc.column_name, string_agg(distinct fc.f, '|' order by fc.f) filter (where fc.column_type not in "
        ~ "('TIMESTAMP WITH TIME ZONE', 'VARCHAR')) from landing.file_columns as fc inner join landing.landing_files "
        ~ "as lf on fc.source_version = lf.source_version where lf.table_name = '" ~ table_name ~ "' "
        ~ "group by fc.column_name having bool_or(fc.column_type = 'TIMESTAMP WITH TIME ZONE') "
        ~ "and bool_or(fc.column_type not in ('TIMESTAMP WITH TIME ZONE', 'VARCHAR')) order by 1") -%}
    {%- if mixed.rows | length == 0 -%}{{ return('') }}{%- endif -%}
    {%- set repairs = [] -%}
    {%- for row in mixed.rows -%}
        {%- set files = [] -%}
        {%- for f in row[1].split('|') %}{% do files.append(string_literal(f)) %}{% endfor -%}
        {%- do repairs.append("case when " ~ relation ~ "._source_file in (" ~ files | join(', ') ~ ") then cast(cast("
                              ~ relation ~ "." ~ row[0] ~ " as timestamp) as varchar) else cast(" ~ relation ~ "."
                              ~ row[0] ~ " as varchar) end as " ~ row[0]) -%}
    {%- endfor -%}
    {{ return(' replace (' ~ repairs | join(', ') ~ ')') }}
{%- endmacro %}

{% macro spark__mixed_zone_file_repairs(relation) -%}
    {#- Spark: not handled (see DECISIONLOG "Zoned timestamps"): keep one kind of timestamp per table on Spark. -#}
    {{ return('') }}
{%- endmacro %}

{% macro local_timestamp(value, zone) -%}
    {#-
        A landing timestamp as naive shop-local wall clock: an instant (a TIMESTAMP WITH TIME ZONE column, or text
        with an offset or Z) converted to the wall clock of `zone` (an SQL expression naming an IANA zone); naive
        values and naive text exactly as parse_timestamp_text reads them. Null when unparsable.
    -#}
    {{ return(adapter.dispatch('local_timestamp', 'kefu')(value, zone)) }}
{%- endmacro %}

{% macro default__local_timestamp(value, zone) -%}
    {#- typeof() is folded at bind time: a naive or text column pays one regex test per value, nothing else -#}
    case
        when typeof({{ value }}) = 'TIMESTAMP WITH TIME ZONE'
            then timezone({{ zone }}, try_cast({{ value }} as timestamptz))
        when {{ value }} is not null and regexp_matches(cast({{ value }} as string), '{{ zoned_text_pattern() }}')
            then timezone(
                {{ zone }},
                try_cast(regexp_replace(cast({{ value }} as string), '\s+(Z|[+-][0-9:]+)$', '\1') as timestamptz)
            )
        else {{ parse_timestamp_text(value) }}
    end
{%- endmacro %}

{% macro spark__local_timestamp(value, zone) -%}
    {#-
        Spark: a `timestamp` (TIMESTAMP_LTZ) landing column is an instant (Parquet isAdjustedToUTC = true, what Pandas
        and Spark write for tz-aware datetimes); naive Parquet timestamps are read as `timestamp_ntz`
        (spark.sql.parquet.inferTimestampNTZ.enabled, set in the profile) and go the naive way. from_utc_timestamp
        shifts the instant to the zone's wall clock, held (like every staged timestamp on Spark) as a `timestamp` whose
        session-time-zone rendering is that wall clock: this needs spark.sql.session.timeZone = UTC (the profile).
    -#}
    case
        when typeof({{ value }}) = 'timestamp'
            then from_utc_timestamp(try_cast({{ value }} as timestamp), {{ zone }})
        when {{ value }} is not null
            and cast({{ value }} as string) rlike {{ string_literal(zoned_text_pattern()) }}
            then from_utc_timestamp(
                try_cast(
                    regexp_replace(cast({{ value }} as string), {{ string_literal('\\s+(Z|[+-][0-9:]+)$') }}, '$1')
                    as timestamp
                ),
                {{ zone }}
            )
        else {{ parse_timestamp_text(value) }}
    end
{%- endmacro %}

{% macro known_timezone_names() -%}
    {#- Subquery of the IANA zone names the engine knows (column `name`); none when the engine has no such list. -#}
    {{ return(adapter.dispatch('known_timezone_names', 'kefu')()) }}
{%- endmacro %}

{% macro default__known_timezone_names() -%}
    {{ return('(select name from pg_timezone_names())') }}
{%- endmacro %}

{% macro spark__known_timezone_names() -%}
    {#- Spark has no zone list: the names are checked for form only; Spark itself stops on an unknown zone ID. -#}
    {{ return(none) }}
{%- endmacro %}

{% macro assert_valid_shop_timezones(seed_relation) %}
    {#-
        Stops the build naming each seeds/shops.csv line whose timezone the engine does not know (an empty cell is
        fine: the shop uses var default_shop_timezone), and names var default_shop_timezone when it is unknown.
        Skipped while the seed is not loaded yet (e.g. sqlfluff compiling against an empty database).
    -#}
    {%- if execute and load_relation(seed_relation) is not none -%}
        {%- set names = known_timezone_names() -%}
        {%- set form = "'^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$'" -%}
        {%- set default_zone = default_shop_timezone() -%}
        {%- if not modules.re.match('^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$', default_zone)
              or (names is not none and run_query("select count(*) from " ~ names ~ " as zones where name = "
                                                  ~ string_literal(default_zone)).columns[0].values()[0] == 0) -%}
            {{ exceptions.raise_compiler_error("Invalid var default_shop_timezone=" ~ default_zone
                                               ~ ": expected an IANA time zone name such as Asia/Shanghai.") }}
        {%- endif -%}
        {%- set check -%}
            with rows as (
                select
                    *,
                    {{ row_in_file_order() }} + 1 as line_number
                from {{ seed_relation }}
            )

            select
                line_number,
                concat_ws(', ', platform, shop_id, timezone) as row_values,
                'unknown time zone ' || trim(timezone) || ' (expected an IANA name such as Asia/Shanghai, '
                || 'or empty for {{ default_zone }})' as problem
            from rows
            where
                nullif(trim(timezone), '') is not null
                and (
                    not {{ regex_matches('trim(timezone)', form) }}
                    {%- if names is not none %}
                    or trim(timezone) not in {{ names }}
                    {%- endif %}
                )
            order by line_number
            limit 5
        {%- endset -%}
        {{ raise_seed_problems(check, config_file('shops')) }}
    {%- endif -%}
{% endmacro %}
