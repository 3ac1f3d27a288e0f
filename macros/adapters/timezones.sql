{#- The DuckDB (default__) and Spark (spark__) implementations of the time-zone macros of macros/timezones.sql. -#}

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

{% macro default__known_timezone_names() -%}
    {{ return('(select name from pg_timezone_names())') }}
{%- endmacro %}

{% macro spark__known_timezone_names() -%}
    {#- Spark has no zone list: the names are checked for form only; Spark itself stops on an unknown zone ID. -#}
    {{ return(none) }}
{%- endmacro %}
