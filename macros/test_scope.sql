{#-
    Scoped data tests (docs/operations.md "Data tests in a daily run").

    In an incremental `dbt build` the data tests of an incremental model check the rows this run recomputed, not the
    whole table, so a daily run's test cost follows the new day instead of the history:
      * a look-back model (strategy `lookback`): rows dated from the look-back start of its latest date
        (lookback_start on the built table, the model's own window);
      * a base model (strategy `landing_rows`): rows (re)classified by this run (_classified_at = the run's clock);
      * a `unique` test of a staging view over one base model: the rows sharing a key that base model (re)classified.
    Every test scans whole tables on `--full-refresh`, in a `dbt test`, when KEFU_FULL_CHECK=1, for a model the run
    creates (first load), and in the whole-table check that a full daily run makes when the last passed one is
    full_check_days or more old (0 = always). The intraday refresh (KEFU_RUN_KIND=live) never takes the periodic
    whole-table check: the next daily run does. The scope is decided by kefu/dbt_plugin.py when the build starts:
    run_state.test_scope_runs (one row per `dbt build`: its mode and whether all passed) and run_state.test_scope (the
    tables that existed then, in a build that may scope; a test scopes an incremental model listed there).
    DuckDB only: the Spark build rebuilds its tables and tests them whole.
-#}

{% macro _scope_state_wanted() -%}
    {{- return(execute and target.type == 'duckdb' and flags.WHICH == 'build') -}}
{%- endmacro %}

{% macro record_test_scope(results) %}
    {#- on-run-end: a build that ran data tests and whose every node passed (warnings allowed) marks its row passed
        (the row kefu/dbt_plugin.py wrote when the build started). -#}
    {%- if _scope_state_wanted() -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error', 'skipped']) | list -%}
        {%- set tested = results | selectattr('node.resource_type', 'equalto', 'test') | list -%}
        {%- if tested and not failed -%}
            update run_state.test_scope_runs set passed = true where invocation_id = '{{ invocation_id }}'
        {%- else -%}
            select 1
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
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
    {%- if tested is not none and tested.resource_type == 'model' and tested.config.materialized == 'view'
           and tested.alias == relation.identifier -%}
        {{ return(_staged_view_unique_scope(tested)) }}
    {%- endif -%}
    {%- if tested is none or tested.resource_type != 'model' or tested.config.materialized != 'incremental'
           or tested.alias != relation.identifier -%}
        {{ return(none) }}
    {%- endif -%}
    {#- scoped when the plugin listed the model's table (it existed when this build started and the build may scope) -#}
    {%- set unscoped = "not exists (select 1 from run_state.test_scope where invocation_id = '" ~ invocation_id
                       ~ "' and model_name = '" ~ tested.alias ~ "')" -%}
    {%- if tested.config.incremental_strategy == 'landing_rows' -%}
        {{ return('(' ~ unscoped ~ ' or _classified_at = ' ~ classified_at() ~ ')') }}
    {%- endif -%}
    {%- set column = tested.config.lookback_column -%}
    {{ return('(' ~ unscoped ~ ' or ' ~ column ~ ' >= '
              ~ lookback_start(relation, column, tested.config.get('lookback_horizon'), with_driver=false,
                               period_floor=tested.config.get('lookback_period_floor', false)) ~ ')') }}
{% endmacro %}

{% macro _staged_view_unique_scope(view) %}
    {#- A `unique` test of a staging view over one base model (strategy `landing_rows`, same column names) checks the
        keys this run (re)classified there: every row sharing such a key, old or new, so a new row that repeats an
        older one still fails. A duplicate among older keys failed the run that classified them. Other tests of a
        view, and views over anything else, check the whole view. -#}
    {%- set metadata = model.test_metadata if model.test_metadata is defined else none -%}
    {%- if metadata is none or metadata.name != 'unique' or view.depends_on.nodes | length != 1 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set base = graph.nodes.get(view.depends_on.nodes[0]) -%}
    {%- if base is none or base.resource_type != 'model' or base.config.materialized != 'incremental'
           or base.config.incremental_strategy != 'landing_rows' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set column = metadata.kwargs.column_name -%}
    {%- set base_relation = api.Relation.create(database=base.database, schema=base.schema, identifier=base.alias) -%}
    {%- set unscoped = "not exists (select 1 from run_state.test_scope where invocation_id = '" ~ invocation_id
                       ~ "' and model_name = '" ~ base.alias ~ "')" -%}
    {{ return('(' ~ unscoped ~ ' or ' ~ column ~ ' in (select ' ~ column ~ ' from ' ~ base_relation
              ~ ' where _classified_at = ' ~ classified_at() ~ '))') }}
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
