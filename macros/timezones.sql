{#-
    Zoned landing timestamps (DECISIONLOG "Zoned timestamps"). The contract's timestamps are shop-local wall clock,
    but Pandas and Spark write tz-aware datetimes as Parquet TIMESTAMP WITH TIME ZONE (UTC instants), and some
    exports write text with an offset (`+08:00`, `+0800`, `Z`). Such a value names one moment: staging converts it
    to the wall clock of the row's shop time zone (seeds/shops.csv `timezone`; var default_shop_timezone when the shop
    is not in the seed or the cell is empty) and stages a naive shop-local timestamp. Naive values are never shifted.
    A column that is zoned in some landing files and naive in others reaches the models as text already (the landing
    views of kefu/landing.py, mixed_zone_files): naive wall clock for the naive files, with an offset for the others.
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
        {{ relation }}.*,
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
        {{ relation }}.*,
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

{% macro local_timestamp(value, zone) -%}
    {#-
        A landing timestamp as naive shop-local wall clock: an instant (a TIMESTAMP WITH TIME ZONE column, or text
        with an offset or Z) converted to the wall clock of `zone` (an SQL expression naming an IANA zone); naive
        values and naive text exactly as parse_timestamp_text reads them. Null when unparsable.
    -#}
    {{ return(adapter.dispatch('local_timestamp', 'kefu')(value, zone)) }}
{%- endmacro %}

{% macro known_timezone_names() -%}
    {#- Subquery of the IANA zone names the engine knows (column `name`); none when the engine has no such list. -#}
    {{ return(adapter.dispatch('known_timezone_names', 'kefu')()) }}
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
        {#- on DuckDB kefu/dbt_plugin.py also checks the name against the engine's zone list before the run -#}
        {%- if not modules.re.match('^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$', default_zone) -%}
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
