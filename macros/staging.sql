{% macro row_fingerprint(columns) -%}
    {#- Hash of every raw column, nulls distinguished from empty strings: equal fingerprints = exact duplicate rows. -#}
    md5(concat_ws('|' {%- for c in columns %}, coalesce(cast({{ c }} as string), '<null>'){% endfor %}))
{%- endmacro %}

{% macro raw_values_text(columns) -%}
    {#- The raw values of a row as 'col=value; ...' text for the rejects model (callers pass PII-safe expressions). -#}
    concat_ws('; ' {%- for c in columns %}, '{{ c.split(".")[-1] }}=' || coalesce(cast({{ c }} as string), '<null>'){% endfor %})
{%- endmacro %}

{% macro raw_value_parts(columns) -%}
    {#-
        Select-list items carrying the raw values of raw_values_text as text columns _raw__<column>: a base model
        renders the text from them only for the rows it rejects (select_classified), not for every row.
    -#}
    {%- for c in columns %}
        cast({{ c }} as string) as _raw__{{ c.split(".")[-1] }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro raw_values_from_parts(columns, relation) -%}
    {#- raw_values_text of the same columns, from the _raw__<column> parts of `relation` (same text). -#}
    concat_ws('; ' {%- for c in columns %}, '{{ c.split(".")[-1] }}=' || coalesce({{ relation }}._raw__{{ c.split(".")[-1] }}, '<null>'){% endfor %})
{%- endmacro %}

{% macro raw_part_names(columns) -%}
    {%- set names = [] -%}
    {%- for c in columns %}{% do names.append('_raw__' ~ c.split('.')[-1]) %}{% endfor -%}
    {{- return(names) -}}
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

{% macro parsed_timestamps(columns, zone=none) -%}
    {#-
        Select-list items parsing each landing timestamp column once, as _parsed__<column> (parse_timestamp with the
        row's `zone`). A base model adds them in its `source` CTE; timestamp_checks, the typed columns and any other
        check then read the parsed value (parsed_timestamp) instead of parsing the text again for each use.
    -#}
    {%- for c in columns %}
        {{ parse_timestamp(c, zone) }} as _parsed__{{ c.split(".")[-1] }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro parsed_timestamp(column) -%}
    {#- The parsed value of a landing timestamp column (parsed_timestamps): 'source.sent_at' -> source._parsed__sent_at. -#}
    {%- if '.' in column -%}
        {{ column.rsplit('.', 1)[0] }}._parsed__{{ column.split('.')[-1] }}
    {%- else -%}
        _parsed__{{ column }}
    {%- endif -%}
{%- endmacro %}

{% macro timestamp_checks(columns) -%}
    {#-
        `when` branches for the timestamp columns of a landing row, in this order: unparsable (text in no accepted
        form, or an offset that does not parse), earlier than var earliest_plausible_date, or at/after the row's file's
        load window end (`_load_window_end`, set per file by the landing scan, kefu/landing.py), all on the shop-local value the
        relation's parsed_timestamps computed (see parse_timestamp). See DECISIONLOG "Implausible timestamps" and
        "Zoned timestamps".
    -#}
    {%- for c in columns %}
        {%- set prefix = c.rsplit('.', 1)[0] ~ '.' if '.' in c else '' %}
        {%- set name = c.split('.')[-1] %}
            when ({{ c }} is not null and {{ parsed_timestamp(c) }} is null) then 'unparsable timestamp: {{ name }}'
            when {{ parsed_timestamp(c) }} < cast('{{ var("earliest_plausible_date") }}' as timestamp)
                then 'timestamp before the earliest plausible date: {{ name }}'
            when {{ parsed_timestamp(c) }} >= {{ prefix }}_load_window_end
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
        Cost: two group-bys find the 64-bit hashes (hash_of) of the fingerprints and keys held by more than one row;
        only those "suspect" rows go through the copy numbering and the key contest, by the exact fingerprint and key.
        A hash collision only makes a few more rows suspects, and every row sharing a repeated fingerprint or key
        shares its hash, so the groups stay complete and the verdicts are the same as over the whole table. The
        millions of plain rows stream straight through with copy number 1 and no contest, and no wide intermediate
        result is materialised.
    -#}
    {%- set pick = 'max' if version_wins == 'latest' else 'min' -%}
    {%- set beaten = '<' if version_wins == 'latest' else '>' -%}
    {%- set superseded = 'superseded by a later version' if version_wins == 'latest' else 'superseded by an earlier copy' -%}
    {%- set key = key_columns | join(', ') -%}
    {%- set fingerprint_hash = hash_of('_fingerprint') -%}
    {%- set key_hash = hash_of(key_columns) -%}
    with repeated_fingerprints as (
        -- (hashes of) fingerprints held by more than one row
        select {{ fingerprint_hash }} as _hash from {{ relation }} group by {{ fingerprint_hash }} having count(*) > 1
    ),

    repeated_keys as (
        -- (hashes of) keys held by more than one row that passed the field checks: the only keys a contest can be about
        select {{ key_hash }} as _hash from {{ relation }}
        where _field_reject_reason is null
        group by {{ key_hash }}
        having count(*) > 1
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
            {{ fingerprint_hash }} not in (select _hash from repeated_fingerprints)
            and {{ key_hash }} not in (select _hash from repeated_keys)
    ),

    suspects as (
        select * from {{ relation }}
        where
            {{ fingerprint_hash }} in (select _hash from repeated_fingerprints)
            or {{ key_hash }} in (select _hash from repeated_keys)
    ),

    copies as (
        -- exact copies: the one in the first file (path, then version) is copy 1, so a rebuild keeps the same one
        select *, row_number() over (partition by _fingerprint order by _source_file, _source_version) as _copy_number
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

{% macro select_classified(relation, table_name, raw_columns, fingerprint_columns, zoned=true) %}
    {#-
        The closing select of a base model over its classified rows (`relation`, classify_raw_rows): every column but
        the raw-value parts, the raw values as text (_raw_values) on rejected rows only, and _classified_at.
        Only the rejects model reads _raw_values, so the text is rendered for the rows it lists instead of being built
        and stored for every landed row; rejected rows carry the same text as before, the others null.
        Incremental runs: a stored row rejected in this run has no parts (rows_to_classify). It keeps the text stored
        with it when it was already rejected; a row that was staged until now (a conflicting copy or a newer version
        arrived, its parent was rejected) has its raw values read again from its own landing file, found by
        `_source_version` and `_fingerprint` (the file is still current, or the row would have been dropped).
        `raw_columns` and `fingerprint_columns` are the lists the model gives raw_value_parts and row_fingerprint;
        zoned: unused (kept for the callers): a column mixing zoned and naive timestamps across landing files reaches
        the model as text already, in the landing views of tables with timestamp columns (kefu/landing.py).
    -#}
    {%- set hidden = raw_part_names(raw_columns) + (['_raw__loaded', '_raw__stored'] if is_incremental() else []) %}
    {%- if is_incremental() %},

    missing_raw_values as (
        -- stored rows rejected in this run that were loaded without raw values (they were not rejected then)
        select distinct _source_version, _fingerprint from {{ relation }}
        where _raw__loaded and _outcome = 'rejected' and _raw__stored is null
    ),

    reread_raw_values as (
        select
            _source_version,
            _fingerprint,
            min(_raw_values) as _raw_values
        from (
            select
                source._source_version,
                {{ row_fingerprint(fingerprint_columns) }} as _fingerprint,
                {{ raw_values_text(raw_columns) }} as _raw_values
            from (
                select landed_again.*
                from {{ source('kefu', table_name) }} as landed_again
                where landed_again._source_version in (select _source_version from missing_raw_values)
            ) as source
        ) as reread_rows
        where _fingerprint in (select _fingerprint from missing_raw_values)
        group by _source_version, _fingerprint
    )
    {%- endif %}

    select
        {{ star_except(relation, hidden) }},
        case when {{ relation }}._outcome = 'rejected' then
            {%- if is_incremental() %}
            case
                when {{ relation }}._raw__loaded then coalesce({{ relation }}._raw__stored, reread_raw_values._raw_values)
                else {{ raw_values_from_parts(raw_columns, relation) }}
            end
            {%- else %}
            {{ raw_values_from_parts(raw_columns, relation) }}
            {%- endif %}
        end as _raw_values,
        {{ classified_at() }} as _classified_at
    from {{ relation }}
    {%- if is_incremental() %}
    left join reread_raw_values
        on
            {{ relation }}._source_version = reread_raw_values._source_version
            and {{ relation }}._fingerprint = reread_raw_values._fingerprint
    {%- endif %}
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
