{#-
    Incremental builds by business date with a look-back (docs/metrics.md §2, docs/architecture.md "Performance").

    Every incremental model recomputes the dates from lookback_start() on and replaces them in the target with the
    custom strategy `lookback`: delete the target rows dated from the same start (and any row whose unique key is in
    the new batch, e.g. an order whose activity date moved), then insert the batch. The look-back is derived from the
    vars: late_arrival_days (how late a row may land) + final_pay_days (the longest horizon any rule looks forward:
    after-sale re-orders, attribution windows and payment cohorts all end within it), so a re-run gives exactly the
    full-refresh result.
-#}

{% macro is_intraday_run() -%}
    {#-
        The intraday switch: env KEFU_RUN_KIND=live, which `kefu refresh` and the Dagster job kefu_live set (kefu/pipeline.py).
        Any other value, or none, is a daily run. An env var, not a --vars entry: a changed var re-parses the project.
    -#}
    {{- return(env_var('KEFU_RUN_KIND', 'daily') == 'live') -}}
{%- endmacro %}

{% macro lookback_days(horizon=none) -%}
    {#-
        late_arrival_days + the longest final_pay_days in force (the global var or any shop_rules row); a model whose
        rows depend only on messages (config lookback_horizon='late_arrival': the human phase, daily receptions) needs
        late_arrival_days alone — nothing of a day changes once its late rows have landed. `horizon` defaults to the
        calling model's config (a data test passes the tested model's).
    -#}
    {%- if is_intraday_run() -%}
        {#- the intraday refresh recomputes the latest date only: late rows and the forward-looking horizons of
            earlier days wait for the daily run (DECISIONLOG "Intraday refresh and live marts") -#}
        {{- return(0) -}}
    {%- endif -%}
    {%- if (horizon if horizon is not none else config.get('lookback_horizon')) == 'late_arrival' -%}
        {{- return(var('late_arrival_days') | int) -}}
    {%- endif -%}
    {#- Looked up by name, not ref(): a unit test of an incremental model must not need the seed as an input. The
        longest shop_rules final_pay_days is read by the look-back query itself (an SQL expression, no extra query). -#}
    {%- set seed = adapter.get_relation(database=target.database, schema='config', identifier='shop_rules')
        if execute else none -%}
    {%- if seed is not none -%}
        {{- return('(' ~ var('late_arrival_days') ~ ' + greatest(' ~ (var('final_pay_days') | int) ~ ', coalesce((select '
                   ~ "max(try_cast(nullif(trim(final_pay_days), '') as integer)) from " ~ seed ~ '), 0)))') -}}
    {%- endif -%}
    {{- var('late_arrival_days') + (var('final_pay_days') | int) -}}
{%- endmacro %}

{% macro lookback_start(relation, date_column, horizon=none, with_driver=true, period_floor=none) -%}
    {#-
        First business date to recompute: the latest date already in `relation` minus the look-back — or, when this
        run loads or drops a landing file of an earlier `date=` folder (landing.changed_days, written by
        kefu/dbt_plugin.py), that day minus the look-back.
        A rollup of orders (config lookback_driver = {'model': ..., 'date': ..., 'activity': ...}) starts earlier
        when an order the driver model recomputes in this run (its activity date, e.g. a payment or an update, is
        inside the look-back) was created before it: the rollup then re-aggregates every date that order counts on
        (its created date and later), so a rollup's rows equal a full refresh. The model must name the driver in a
        `-- depends_on:` comment. A data test (macro test_scope_filter) takes the model's own window only
        (with_driver=false): a test may not ref() the driver.
        The date is looked up while the node compiles (dbt compiles a node just before it runs, after its parents
        were built) and written in as a constant: a constant filter reaches the table scans (row groups outside the
        window are skipped), a subquery would not. While parsing, the subquery itself is returned.
        A period rollup (config lookback_period_floor=true, `date_column` its period_start_date) starts at the first
        day of the earliest week or month holding that date: every period with a recomputed day is rebuilt whole
        (`period_floor` defaults to the calling model's config; a data test passes the tested model's). Its latest
        period start is not after its latest day, so the start is never later than its days' look-back.
    -#}
    {%- if execute and relation.identifier is defined and date_column not in (adapter.get_columns_in_relation(relation)
                                                                              | map(attribute='name') | list) -%}
        {{ exceptions.raise_compiler_error("kefu: " ~ relation ~ " has no column " ~ date_column ~ " (built by an "
                                           ~ "older kefu): rebuild it once with `dbt build --full-refresh -s "
                                           ~ relation.identifier ~ "+`") }}
    {%- endif -%}
    {%- set changed = adapter.get_relation(database=target.database, schema='landing', identifier='changed_days')
        if execute else none -%}
    {%- set latest -%}
        {%- if changed is not none -%}
            least(max({{ date_column }}), coalesce((select earliest_changed_date from {{ changed }}), max({{ date_column }})))
        {%- else -%}
            max({{ date_column }})
        {%- endif -%}
    {%- endset -%}
    {%- set own -%}
        (select {{ dbt.dateadd('day', '-1 * ' ~ lookback_days(horizon), latest) }} from {{ relation }})
    {%- endset -%}
    {%- if (period_floor if period_floor is not none else config.get('lookback_period_floor', false)) -%}
        {%- set own -%}
            least(cast({{ dbt.date_trunc('week', own) }} as date), cast({{ dbt.date_trunc('month', own) }} as date))
        {%- endset -%}
    {%- endif -%}
    {%- set driver = config.get('lookback_driver') if with_driver else none -%}
    {%- if driver -%}
        {%- set start -%}
        (select least({{ own }}, coalesce(min({{ driver.date }}), {{ own }}))
         from {{ ref(driver.model) }} where {{ driver.activity }} >= {{ own }})
        {%- endset -%}
    {%- else -%}
        {%- set start = own -%}
    {%- endif -%}
    {%- if not execute -%}{{ return(start) }}{%- endif -%}
    {%- set found = run_query('select cast(' ~ start ~ ' as ' ~ dbt.type_string() ~ ')').rows[0][0] -%}
    {{- return("cast(null as date)" if found is none else "cast('" ~ found ~ "' as date)") -}}
{%- endmacro %}

{% macro order_rollup_driver() -%}
    {#- lookback_driver of the order rollups: orders recomputed by int_orders__attributed, counted from their created date. -#}
    {{- return({'model': 'int_orders__attributed', 'date': 'cast(created_at as date)', 'activity': 'activity_date'}) -}}
{%- endmacro %}

{% macro order_last_event_date() -%}
    {#- The latest business date an order counts on in the order rollups (its paid date, else its created date). -#}
    cast(greatest(created_at, coalesce(paid_at, created_at)) as date)
{%- endmacro %}

{% macro require_columns(relation, columns) -%}
    {#-
        An incremental run stops with a clear message when its own table lacks a column this kefu writes (the table
        was built by an older kefu): with on_schema_change append_new_columns the rows outside the look-back would
        keep the column null. Renders nothing otherwise.
    -#}
    {%- if execute -%}
        {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- set missing = columns | reject('in', present) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error("kefu: " ~ relation ~ " has no column " ~ missing | join(', ')
                                               ~ " (built by an older kefu): rebuild it once with "
                                               ~ "`dbt build --full-refresh -s " ~ relation.identifier ~ "+`") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro incremental_window(date_expression) -%}
    {#- A where-clause fragment for incremental models: true on a full refresh, else date >= look-back start. -#}
    {%- if is_incremental() -%}
        {{ date_expression }} >= {{ lookback_start(this, config.get('lookback_column')) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro get_incremental_lookback_sql(arg_dict) %}
    {{ return(adapter.dispatch('get_incremental_lookback_sql', 'kefu')(arg_dict)) }}
{% endmacro %}

{% macro lookback_key_in_batch(unique_key, batch) -%}
    {#- The row's unique key (one column or a list) is among the batch's: the rows a look-back run replaces
        outside its window. -#}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    ({{ keys | join(', ') }}) in (select {{ keys | join(', ') }} from {{ batch }})
{%- endmacro %}

{% macro human_phase_of_recent_sessions(ended_sessions=none) %}
    {#-
        The human-phase messages of the sessions a look-back run recomputes whole: those with a message dated from
        the look-back start on, and (with `ended_sessions`, a relation with session_id and ended_at) those ending on
        or after it. Every message on a full build.
    -#}
    select * from {{ ref('int_messages__human_phase') }}
    {%- if is_incremental() %}
    where session_id in (
        select session_id from {{ ref('int_messages__human_phase') }}
        where {{ incremental_window('effective_date') }}
        {%- if ended_sessions is not none %}
        union all
        select session_id from {{ ended_sessions }}
        where {{ incremental_window('cast(ended_at as date)') }}
        {%- endif %}
    )
    {%- endif %}
{% endmacro %}
