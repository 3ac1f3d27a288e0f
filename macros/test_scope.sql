{#-
    Scoped data tests (docs/operations.md "Data tests in a daily run").

    In an incremental `dbt build` the data tests of an incremental model check the rows this run recomputed, not the
    whole table, so a daily run's test cost follows the new day instead of the history:
      * a look-back model (strategy `lookback`): rows dated from the look-back start of its latest date
        (lookback_start on the built table, the model's own window);
      * a base model (strategy `landing_rows`): rows (re)classified by this run (_classified_at = the run's clock).
    Every test scans whole tables on `--full-refresh`, in a `dbt test`, when KEFU_FULL_CHECK=1, for a model the run
    creates (first load), and in the whole-table check that a full daily run makes when the last passed one is
    full_check_days or more old (0 = always). The intraday refresh (KEFU_RUN_KIND=live) never takes the periodic
    whole-table check: the next daily run does. Test tables: run_state.test_scope_runs (one row per `dbt build`: its
    mode and whether all passed) and run_state.test_scope (the models scoped in that invocation).
    DuckDB only: the Spark build rebuilds its tables and tests them whole.
-#}

{% macro _scope_state_wanted() -%}
    {{- return(execute and target.type == 'duckdb' and flags.WHICH == 'build') -}}
{%- endmacro %}

{% macro _whole_table_reason() %}
    {#- Why this invocation tests whole tables, or none when it may scope. -#}
    {%- if flags.FULL_REFRESH -%}{{ return('--full-refresh') }}{%- endif -%}
    {%- if env_var('KEFU_FULL_CHECK', '') | lower in ('1', 'true', 'yes') -%}{{ return('KEFU_FULL_CHECK is set') }}{%- endif -%}
    {%- if (var('full_check_days') | int) == 0 -%}{{ return('full_check_days is 0') }}{%- endif -%}
    {%- if is_intraday_run() -%}{{ return(none) }}{%- endif -%}
    {%- set last = run_query("select max(started_at) from run_state.test_scope_runs where whole_tables and passed"
                             ~ " and full_project").columns[0].values()[0] -%}
    {%- if last is none -%}{{ return('no whole-table check has passed yet') }}{%- endif -%}
    {%- set due = run_query("select " ~ classified_at() ~ " >= timestamp '" ~ last ~ "' + interval "
                            ~ (var('full_check_days') | int) ~ " day").columns[0].values()[0] -%}
    {%- if due -%}{{ return('the last whole-table check passed on ' ~ (last | string)[:10]) }}{%- endif -%}
    {{- return(none) -}}
{% endmacro %}

{% macro prepare_test_scope() %}
    {#- on-run-start: decide the tests' scope of this `dbt build` and write it to run_state. -#}
    {%- if _scope_state_wanted() -%}
        {%- do run_query("create schema if not exists run_state") -%}
        {%- do run_query("create table if not exists run_state.test_scope_runs (invocation_id varchar, started_at "
                         ~ "timestamp, whole_tables boolean, full_project boolean, reason varchar, passed boolean)") -%}
        {%- do run_query("create table if not exists run_state.test_scope (invocation_id varchar, model_name varchar)") -%}
        {%- set reason = _whole_table_reason() -%}
        {%- set full_project = not invocation_args_dict.get('select') and not invocation_args_dict.get('selector')
                                 and not is_intraday_run() -%}
        {%- set scoped = [] -%}
        {%- if reason is none -%}
            {%- for node in graph.nodes.values() if node.resource_type == 'model'
                                                   and node.config.materialized == 'incremental' -%}
                {%- if adapter.get_relation(database=node.database, schema=node.schema,
                                            identifier=node.alias) is not none -%}
                    {%- do scoped.append(node.name) -%}
                {%- endif -%}
            {%- endfor -%}
            {{ log("kefu: data tests of " ~ (scoped | length) ~ " incremental models check the rows this run "
                   ~ "recomputes (whole tables: --full-refresh, KEFU_FULL_CHECK=1, or every "
                   ~ var('full_check_days') ~ " days)", info=true) }}
        {%- else -%}
            {{ log("kefu: data tests check whole tables (" ~ reason ~ ")", info=true) }}
        {%- endif -%}
        {%- do run_query("insert into run_state.test_scope_runs values ('" ~ invocation_id ~ "', " ~ classified_at()
                         ~ ", " ~ (reason is not none) ~ ", " ~ full_project ~ ", "
                         ~ ("null" if reason is none else "'" ~ (reason | replace("'", "''")) ~ "'") ~ ", false)") -%}
        {%- for name in scoped -%}
            {%- do run_query("insert into run_state.test_scope values ('" ~ invocation_id ~ "', '" ~ name ~ "')") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{% endmacro %}

{% macro record_test_scope(results) %}
    {#- on-run-end: a build that ran data tests and whose every node passed (warnings allowed) marks its row passed. -#}
    {%- if _scope_state_wanted() -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error', 'skipped']) | list -%}
        {%- set tested = results | selectattr('node.resource_type', 'equalto', 'test') | list -%}
        {%- if tested and not failed -%}
            {%- do run_query("update run_state.test_scope_runs set passed = true where invocation_id = '"
                             ~ invocation_id ~ "'") -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}

{% macro test_scope_filter(relation) %}
    {#- The where-clause that scopes a data test on `relation` in this invocation, or none for the whole table.
        Generic tests get it through get_where_subquery; a singular test over an incremental model may call it:
        `where {{ test_scope_filter(ref('m')) or 'true' }}`. -#}
    {%- if not execute or target.type != 'duckdb' or flags.WHICH != 'build' -%}{{ return(none) }}{%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if tested is none -%}
        {#- a singular test names its relation: the model built there -#}
        {%- set matches = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                          | selectattr('alias', 'equalto', relation.identifier)
                          | selectattr('schema', 'equalto', relation.schema) | list -%}
        {%- set tested = matches[0] if matches else none -%}
    {%- endif -%}
    {%- if tested is none or tested.resource_type != 'model' or tested.config.materialized != 'incremental'
           or tested.alias != relation.identifier -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query("select count(*) from run_state.test_scope where invocation_id = '" ~ invocation_id
                              ~ "' and model_name = '" ~ tested.name ~ "'").columns[0].values()[0] -%}
    {%- if found == 0 -%}{{ return(none) }}{%- endif -%}
    {%- if tested.config.incremental_strategy == 'landing_rows' -%}
        {{ return('_classified_at = ' ~ classified_at()) }}
    {%- endif -%}
    {%- set column = tested.config.lookback_column -%}
    {{ return(column ~ ' >= ' ~ lookback_start(relation, column, tested.config.get('lookback_horizon'),
                                                with_driver=false,
                                                period_floor=tested.config.get('lookback_period_floor', false))) }}
{% endmacro %}

{% macro get_where_subquery(relation) -%}
    {#- dbt's generic tests read their model through this macro: the test's own `where` config and the scope above. -#}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}{%- do conditions.append('(' ~ config.get('where') ~ ')') -%}{%- endif -%}
    {%- set scope = test_scope_filter(relation) -%}
    {%- if scope -%}{%- do conditions.append('(' ~ scope ~ ')') -%}{%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
