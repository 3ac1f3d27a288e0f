{#-
    The landing files are listed, checked and catalogued in Python only (kefu/landing.py): on DuckDB the dbt-duckdb
    plugin kefu/dbt_plugin.py writes the run state (landing.<table>, landing.<table>__new, landing.landing_files,
    landing.file_columns, landing.changed_days) before any model compiles; on Spark `kefu check-landing --catalog`
    writes the catalog that spark__prepare_landing (adapters/landing_spark.sql) turns into the views landing.<table>.
-#}

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

{% macro prepare_landing() %}
    {#- on-run-start: the contract's table list must match landing_tables(); then the adapter's landing step
        (DuckDB: nothing left, the plugin ran before; Spark: adapters/landing_spark.sql). -#}
    {% if execute and flags.WHICH in ('build', 'run', 'test', 'seed', 'compile', 'show') %}
        {% set declared = landing_contract() | map(attribute='name') | sort | list %}
        {% if declared != (landing_tables() | sort | list) %}
            {{ _landing_fail("the sources YAML lists " ~ declared | join(', ') ~ " but macro landing_tables() lists "
                             ~ landing_tables() | sort | join(', ') ~ ": add the table to both") }}
        {% endif %}
    {% endif %}
    {{ return(adapter.dispatch('prepare_landing', 'kefu')()) }}
{% endmacro %}

{% macro default__prepare_landing() %}
    select 1
{% endmacro %}
