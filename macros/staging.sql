{% macro row_fingerprint(columns) -%}
    {#- Hash of every raw column, nulls distinguished from empty strings: equal fingerprints = exact duplicate rows. -#}
    md5(concat_ws('|' {%- for c in columns %}, coalesce(cast({{ c }} as string), '<null>'){% endfor %}))
{%- endmacro %}

{% macro raw_values_text(columns) -%}
    {#- The raw values of a row as 'col=value; ...' text for the rejects model (callers pass PII-safe expressions). -#}
    concat_ws('; ' {%- for c in columns %}, '{{ c.split(".")[-1] }}=' || coalesce(cast({{ c }} as string), '<null>'){% endfor %})
{%- endmacro %}

{% macro parse_timestamp(column, zone=none) -%}
    {#-
        A landing timestamp (typed, or text in ISO, slash or 年月日 form) as a naive shop-local timestamp. An instant
        (a TIMESTAMP WITH TIME ZONE column, or text ending in an offset or Z) is converted to the wall clock of `zone`
        (an SQL expression: the row's shop zone, see with_shop_timezone; default var default_shop_timezone).
    -#}
    {{ local_timestamp(column, zone if zone is not none else string_literal(default_shop_timezone())) }}
{%- endmacro %}

{% macro is_unparsable(column, type, zone=none) -%}
    {%- if type == 'timestamp' -%}
    ({{ column }} is not null and {{ parse_timestamp(column, zone) }} is null)
    {%- else -%}
    ({{ column }} is not null and try_cast({{ column }} as {{ type }}) is null)
    {%- endif -%}
{%- endmacro %}

{% macro timestamp_checks(columns, zone=none) -%}
    {#-
        `when` branches for the timestamp columns of a landing row, in this order: unparsable (text in no accepted
        form, or an offset that does not parse), earlier than var earliest_plausible_date, or at/after the row's file's
        load window end (`_load_window_end`, set per file by the landing hook), all on the shop-local value (`zone`:
        see parse_timestamp). See DECISIONLOG "Implausible timestamps" and "Zoned timestamps".
    -#}
    {%- for c in columns %}
        {%- set prefix = c.rsplit('.', 1)[0] ~ '.' if '.' in c else '' %}
        {%- set name = c.split('.')[-1] %}
            when {{ is_unparsable(c, 'timestamp', zone) }} then 'unparsable timestamp: {{ name }}'
            when {{ parse_timestamp(c, zone) }} < cast('{{ var("earliest_plausible_date") }}' as timestamp)
                then 'timestamp before the earliest plausible date: {{ name }}'
            when {{ parse_timestamp(c, zone) }} >= {{ prefix }}_load_window_end
                then 'timestamp after the load window: {{ name }}'
    {%- endfor %}
{%- endmacro %}

{% macro normalise_enum(column) -%}
    nullif(lower(trim(cast({{ column }} as string))), '')
{%- endmacro %}

{% macro classify_raw_rows(relation, key_columns, version_column=none, version_wins='latest') %}
    {#-
        Decides where every raw row of a landing table ends:
          _outcome = 'duplicate'  an exact copy of an earlier row (counted, not staged);
                     'rejected'   a failed field check (_field_reject_reason), a conflicting duplicate key, or
                                  (tables with a version column) an older version superseded by a later one;
                     'staged'     everything else: exactly one row per key.
        `relation` must carry _fingerprint and _field_reject_reason plus the key and version columns.
        version_wins: 'latest' (a row that changes: orders, roster, ratings) or 'earliest' (an event sent again with
        another timestamp: the first one counts, the repeats are superseded).
        Cost: two group-bys find the fingerprints and keys held by more than one row; only those "suspect" rows go
        through the copy numbering and the key contest (complete groups, so the verdicts are the same as over the
        whole table). The millions of plain rows stream straight through with copy number 1 and no contest, and no
        wide intermediate result is materialised.
    -#}
    {%- set pick = 'max' if version_wins == 'latest' else 'min' -%}
    {%- set beaten = '<' if version_wins == 'latest' else '>' -%}
    {%- set superseded = 'superseded by a later version' if version_wins == 'latest' else 'superseded by an earlier copy' -%}
    {%- set key = key_columns | join(', ') -%}
    {%- set same_key -%}
        {% for k in key_columns %}repeated_keys.{{ k }} = {{ relation }}.{{ k }}{{ " and " if not loop.last }}{% endfor %}
    {%- endset -%}
    with repeated_fingerprints as (
        select _fingerprint from {{ relation }} group by _fingerprint having count(*) > 1
    ),

    repeated_keys as (
        -- keys held by more than one row that passed the field checks: the only keys a contest can be about
        select {{ key }} from {{ relation }} where _field_reject_reason is null group by {{ key }} having count(*) > 1
    ),

    plain_rows as (
        select
            *,
            1 as _copy_number,
            _field_reject_reason is null as _is_candidate,
            {%- if version_column %}
            {{ version_column }} as _winning_version,
            {%- endif %}
            1 as _variants_of_version
        from {{ relation }}
        where
            _fingerprint not in (select _fingerprint from repeated_fingerprints)
            and not exists (select 1 from repeated_keys where {{ same_key }})
    ),

    suspects as (
        select * from {{ relation }}
        where
            _fingerprint in (select _fingerprint from repeated_fingerprints)
            or exists (select 1 from repeated_keys where {{ same_key }})
    ),

    copies as (
        select *, row_number() over (partition by _fingerprint order by _fingerprint) as _copy_number
        from suspects
    ),

    candidates as (
        select
            *,
            _copy_number = 1 and _field_reject_reason is null as _is_candidate
        from copies
    ),

    contested_keys as (
        -- keys held by more than one candidate row: only these need a winner
        select {{ key }} from candidates where _is_candidate group by {{ key }} having count(*) > 1
    ),

    contest as (
        -- candidate rows have copy number 1, so their fingerprint identifies them
        select
            candidates._fingerprint,
            {%- if version_column %}
            {{ pick }}(candidates.{{ version_column }}) over (
                partition by {% for k in key_columns %}candidates.{{ k }}{{ ", " if not loop.last }}{% endfor %}
            ) as _winning_version,
            count(*) over (
                partition by {% for k in key_columns %}candidates.{{ k }}, {% endfor %}candidates.{{ version_column }}
            ) as _variants_of_version
            {%- else %}
            count(*) over (
                partition by {% for k in key_columns %}candidates.{{ k }}{{ ", " if not loop.last }}{% endfor %}
            ) as _variants_of_version
            {%- endif %}
        from candidates
        inner join contested_keys
            on {% for k in key_columns %}candidates.{{ k }} = contested_keys.{{ k }}{{ " and " if not loop.last }}{% endfor %}
        where candidates._is_candidate
    ),

    suspect_versions as (
        select
            candidates.*,
            {%- if version_column %}
            coalesce(contest._winning_version, candidates.{{ version_column }}) as _winning_version,
            {%- endif %}
            coalesce(contest._variants_of_version, 1) as _variants_of_version
        from candidates
        left join contest
            on candidates._is_candidate and candidates._fingerprint = contest._fingerprint
    ),

    versions as (
        select * from plain_rows
        union all
        select * from suspect_versions
    )

    select
        *,
        _fingerprint || '-' || cast(_copy_number as string) as landing_row_id,
        case
            when _copy_number > 1 then 'duplicate'
            when _field_reject_reason is not null then 'rejected'
            {%- if version_column %}
            when {{ version_column }} {{ beaten }} _winning_version then 'rejected'
            {%- endif %}
            when _variants_of_version > 1 then 'rejected'
            else 'staged'
        end as _outcome,
        case
            when _copy_number > 1 then null
            when _field_reject_reason is not null then _field_reject_reason
            {%- if version_column %}
            when {{ version_column }} {{ beaten }} _winning_version then '{{ superseded }}'
            {%- endif %}
            when _variants_of_version > 1 then 'conflicting duplicate key'
        end as _reject_reason
    from versions
{% endmacro %}

{% macro missing_required_checks(columns) -%}
    {#- `when ... then ...` branches of a reject-reason case: the first required column that is null or blank. -#}
    {%- for c in columns %}
            when {{ c }} is null or trim(cast({{ c }} as string)) = '' then 'missing required field: {{ c.split(".")[-1] }}'
    {%- endfor %}
{%- endmacro %}

{% macro unknown_enum_check(column, accepted, nullable=false) -%}
    {#- `when` branch rejecting a value outside the accepted list (after lower/trim). -#}
            when {% if nullable %}{{ normalise_enum(column) }} is not null and {% endif -%}
                coalesce({{ normalise_enum(column) }} not in ('{{ accepted | join("', '") }}'), true)
                then 'unknown enum value: {{ column.split(".")[-1] }}'
{%- endmacro %}

{% macro unparsable_checks(columns, type='timestamp') -%}
    {%- for c in columns %}
            when {{ is_unparsable(c, type) }} then 'unparsable {{ type }}: {{ c.split(".")[-1] }}'
    {%- endfor %}
{%- endmacro %}

{% macro select_staged(checked_model, columns) %}
    {#- The clean 1:1 staging view: the typed columns of the rows whose outcome is 'staged'. -#}
    select
        {%- for c in columns %}
        {{ c }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref(checked_model) }}
    where _outcome = 'staged'
{% endmacro %}
