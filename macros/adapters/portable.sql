{#- DuckDB-only syntax lives behind dispatched macros so the models can move to Spark (dbt-spark) later. -#}

{% macro regex_matches(text, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'kefu')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_matches(text, pattern) -%}
    ({{ text }} rlike {{ pattern }})
{%- endmacro %}

{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'kefu')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    epoch({{ ts }})
{%- endmacro %}

{% macro spark__epoch_seconds(ts) -%}
    unix_timestamp({{ ts }})
{%- endmacro %}

{% macro seconds_between(start_ts, end_ts) -%}
    {#- Whole seconds from start_ts to end_ts (null when either is null). -#}
    ({{ epoch_seconds(end_ts) }} - {{ epoch_seconds(start_ts) }})
{%- endmacro %}

{% macro add_seconds(ts, seconds) -%}
    {{ return(adapter.dispatch('add_seconds', 'kefu')(ts, seconds)) }}
{%- endmacro %}

{% macro default__add_seconds(ts, seconds) -%}
    ({{ ts }} + to_seconds({{ seconds }}))
{%- endmacro %}

{% macro spark__add_seconds(ts, seconds) -%}
    ({{ ts }} + make_interval(0, 0, 0, 0, 0, 0, {{ seconds }}))
{%- endmacro %}

{% macro day_pieces(start_ts, end_ts) -%}
    {#- Table function: one row (piece_date) per business date an interval [start_ts, end_ts) touches. -#}
    {{ return(adapter.dispatch('day_pieces', 'kefu')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__day_pieces(start_ts, end_ts) -%}
    unnest(generate_series(cast({{ start_ts }} as date), cast({{ end_ts }} as date), interval 1 day))
{%- endmacro %}

{% macro spark__day_pieces(start_ts, end_ts) -%}
    explode(sequence(cast({{ start_ts }} as date), cast({{ end_ts }} as date), interval 1 day))
{%- endmacro %}

{% macro hour_marks(start_ts, end_ts) -%}
    {#- Select-list table function: one row (the timestamp) per full hour mark m with start_ts < m <= end_ts (callers
        keep m < end_ts for a strict bound). An interval inside one hour yields none. -#}
    {{ return(adapter.dispatch('hour_marks', 'kefu')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__hour_marks(start_ts, end_ts) -%}
    unnest(generate_series(date_trunc('hour', {{ start_ts }}) + interval 1 hour, {{ end_ts }}, interval 1 hour))
{%- endmacro %}

{% macro spark__hour_marks(start_ts, end_ts) -%}
    explode(
        case
            when date_trunc('HOUR', {{ start_ts }}) + interval 1 hour <= {{ end_ts }}
                then sequence(date_trunc('HOUR', {{ start_ts }}) + interval 1 hour, {{ end_ts }}, interval 1 hour)
        end
    )
{%- endmacro %}

{% macro percentile_of(expression, fraction) -%}
    {#- Continuous percentile of a numeric expression within a group (0.5 = median). -#}
    {{ return(adapter.dispatch('percentile_of', 'kefu')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_of(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_of(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro parse_timestamp_text(value) -%}
    {{ return(adapter.dispatch('parse_timestamp_text', 'kefu')(value)) }}
{%- endmacro %}

{% macro default__parse_timestamp_text(value) -%}
    {#- the pattern list is only tried on text that is there and is not ISO (try_strptime is slow even on nulls) -#}
    coalesce(
        try_cast({{ value }} as timestamp),
        case when {{ value }} is not null then
            try_strptime(cast({{ value }} as string), ['%Y年%m月%d日 %H:%M:%S', '%Y年%m月%d日 %H:%M', '%Y%m%d %H%M%S'])
        end
    )
{%- endmacro %}

{% macro spark__parse_timestamp_text(value) -%}
    {#-
        The same accepted forms as the DuckDB version: a timestamp cast, else the three 年月日 / compact patterns.
        Text is cast to timestamp_ntz, which ignores a zone after the time as DuckDB's timestamp cast does (a cast to
        timestamp would shift the value to UTC), after three steps that make Spark's cast read what DuckDB's reads:
        a yyyy/m/d date is read as yyyy-m-d, and an hour without minutes (`2026-11-03 10`) or an offset glued to the
        time whose hour is not two digits (`10:00:00+8:00`) is not a timestamp.
    -#}
    {%- set text = 'cast(' ~ value ~ ' as string)' -%}
    {%- set not_duckdb = '^\\s*\\d{4}-\\d{1,2}-\\d{1,2}[T ]\\d{1,2}\\s*$'
        ~ '|\\d:\\d{2}(:\\d{2}(\\.\\d+)?)?[+-](?!\\d{2}(:?\\d{2})?\\s*$)' -%}
    coalesce(
        case
            when typeof({{ value }}) <> 'string' then try_cast({{ value }} as timestamp)
            when not {{ text }} rlike {{ string_literal(not_duckdb) }}
                then cast(
                    try_cast(
                        regexp_replace({{ text }}, {{ string_literal('^(\\s*\\d{4})/(\\d{1,2})/(\\d{1,2})') }}, '$1-$2-$3')
                        as timestamp_ntz
                    ) as timestamp
                )
        end,
        to_timestamp({{ text }}, 'yyyy年M月d日 H:m:s'),
        to_timestamp({{ text }}, 'yyyy年M月d日 H:m'),
        to_timestamp({{ text }}, 'yyyyMMdd HHmmss')
    )
{%- endmacro %}

{% macro day_series(start_date, end_date) -%}
    {#- Derived table (alias series_days): one row (date_day) per calendar date in [start_date, end_date],
        both 'YYYY-MM-DD' strings. -#}
    {{ return(adapter.dispatch('day_series', 'kefu')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__day_series(start_date, end_date) -%}
    (
        select cast(generate_series as date) as date_day
        from generate_series(date '{{ start_date }}', date '{{ end_date }}', interval 1 day)
    ) as series_days
{%- endmacro %}

{% macro spark__day_series(start_date, end_date) -%}
    (select explode(sequence(date '{{ start_date }}', date '{{ end_date }}', interval 1 day)) as date_day) as series_days
{%- endmacro %}

{% macro string_literal(value) -%}
    {#- A Python/Jinja string as an SQL string literal (single quotes doubled; Spark also reads backslashes as escapes,
        so they are doubled there). -#}
    {{ return(adapter.dispatch('string_literal', 'kefu')(value)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__string_literal(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro materialized_cte() -%}
    {#- `materialized` after `name as` in a WITH clause: DuckDB then computes a CTE read by several later steps once
        (its optimiser may otherwise inline it into each reader, repeating every row check). Spark has no hint. -#}
    {{ return(adapter.dispatch('materialized_cte', 'kefu')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}

{% macro row_in_file_order() -%}
    {#- 1, 2, ... in the order the rows were read (a seed's CSV line order), for messages naming a line. -#}
    {{ return(adapter.dispatch('row_in_file_order', 'kefu')()) }}
{%- endmacro %}

{% macro default__row_in_file_order() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__row_in_file_order() -%}
    row_number() over (order by monotonically_increasing_id())
{%- endmacro %}

{% macro arg_min_of(arg, val) -%}
    {#- arg on the row with the smallest val, among the rows whose arg is not null (DuckDB's arg_min). -#}
    {{ return(adapter.dispatch('arg_min_of', 'kefu')(arg, val)) }}
{%- endmacro %}

{% macro default__arg_min_of(arg, val) -%}
    arg_min({{ arg }}, {{ val }})
{%- endmacro %}

{% macro spark__arg_min_of(arg, val) -%}
    min_by({{ arg }}, case when {{ arg }} is not null then {{ val }} end)
{%- endmacro %}

{% macro arg_max_of(arg, val) -%}
    {#- arg on the row with the largest val, among the rows whose arg is not null (DuckDB's arg_max). -#}
    {{ return(adapter.dispatch('arg_max_of', 'kefu')(arg, val)) }}
{%- endmacro %}

{% macro default__arg_max_of(arg, val) -%}
    arg_max({{ arg }}, {{ val }})
{%- endmacro %}

{% macro spark__arg_max_of(arg, val) -%}
    max_by({{ arg }}, case when {{ arg }} is not null then {{ val }} end)
{%- endmacro %}

{% macro text_position(text, search) -%}
    {#- 1-based position of the first occurrence of search in text; 0 when absent. -#}
    {{ return(adapter.dispatch('text_position', 'kefu')(text, search)) }}
{%- endmacro %}

{% macro default__text_position(text, search) -%}
    strpos({{ text }}, {{ search }})
{%- endmacro %}

{% macro spark__text_position(text, search) -%}
    instr({{ text }}, {{ search }})
{%- endmacro %}

{% macro share_of(condition) -%}
    {#- Share of the group's rows where condition holds, as a double (DuckDB: avg of a decimal is a double; Spark
        would keep avg(1.0) a decimal with 5 places, hence double literals there). -#}
    {{ return(adapter.dispatch('share_of', 'kefu')(condition)) }}
{%- endmacro %}

{% macro default__share_of(condition) -%}
    avg(case when {{ condition }} then 1.0 else 0.0 end)
{%- endmacro %}

{% macro spark__share_of(condition) -%}
    avg(case when {{ condition }} then 1.0d else 0.0d end)
{%- endmacro %}

{% macro hour_pieces(start_ts, end_ts) -%}
    {#- Select-list table function: one row (the hour's start) per clock hour an interval [start_ts, end_ts) touches;
        an end exactly on the hour also yields that hour (callers drop empty pieces). -#}
    {{ return(adapter.dispatch('hour_pieces', 'kefu')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__hour_pieces(start_ts, end_ts) -%}
    unnest(generate_series(date_trunc('hour', {{ start_ts }}), {{ end_ts }}, interval 1 hour))
{%- endmacro %}

{% macro spark__hour_pieces(start_ts, end_ts) -%}
    explode(sequence(date_trunc('HOUR', {{ start_ts }}), {{ end_ts }}, interval 1 hour))
{%- endmacro %}

{% macro integer_series(first, last) -%}
    {#- Derived table (alias series_integers): one row (series_value, an integer) per whole number in [first, last]. -#}
    {{ return(adapter.dispatch('integer_series', 'kefu')(first, last)) }}
{%- endmacro %}

{% macro default__integer_series(first, last) -%}
    (
        select cast(generate_series as integer) as series_value
        from generate_series({{ first }}, {{ last }})
    ) as series_integers
{%- endmacro %}

{% macro spark__integer_series(first, last) -%}
    (select explode(sequence({{ first }}, {{ last }})) as series_value) as series_integers
{%- endmacro %}

{% macro iso_weekday(date_expr) -%}
    {#- ISO day of the week of a date or timestamp: 1 = Monday … 7 = Sunday. -#}
    {{ return(adapter.dispatch('iso_weekday', 'kefu')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_expr) -%}
    cast(isodow({{ date_expr }}) as integer)
{%- endmacro %}

{% macro spark__iso_weekday(date_expr) -%}
    (weekday({{ date_expr }}) + 1)
{%- endmacro %}

{% macro star_except(relation, columns) -%}
    {#- Every column of `relation` (a CTE or table alias) but `columns`: `* exclude (...)` on DuckDB, `* except (...)` on
        Spark (4.x). -#}
    {{ return(adapter.dispatch('star_except', 'kefu')(relation, columns)) }}
{%- endmacro %}

{% macro default__star_except(relation, columns) -%}
    {{ relation }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(relation, columns) -%}
    {{ relation }}.* except ({{ columns | join(', ') }})
{%- endmacro %}

{% macro hash_of(columns) -%}
    {#- A 64-bit hash of one expression or a list of them (DuckDB hash(), Spark xxhash64()): cheap to group and join
        by. Equal values hash equal; different values may collide, so callers use it only to narrow down candidates
        that the exact values then decide (classify_raw_rows). -#}
    {{ return(adapter.dispatch('hash_of', 'kefu')([columns] if columns is string else columns)) }}
{%- endmacro %}

{% macro default__hash_of(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__hash_of(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{% macro ordering_key(columns) -%}
    {#- A value that orders as the list of expressions does (lexicographically), e.g. the `val` of arg_min_of when
        ties on the first expression are broken by the next: a row (struct) on DuckDB, struct() on Spark. -#}
    {{ return(adapter.dispatch('ordering_key', 'kefu')(columns)) }}
{%- endmacro %}

{% macro default__ordering_key(columns) -%}
    row({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__ordering_key(columns) -%}
    struct({{ columns | join(', ') }})
{%- endmacro %}
