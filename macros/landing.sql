{% macro landing_path() -%}
    {{- env_var('KEFU_LANDING_PATH', var('landing_path')) -}}
{%- endmacro %}

{% macro landing_tables() -%}
    {{- return(['raw_sessions', 'raw_messages', 'raw_orders', 'raw_order_items', 'raw_agents',
                'raw_agent_status', 'raw_ratings', 'raw_faq_questions', 'raw_faq_events', 'raw_visits']) -}}
{%- endmacro %}

{% macro check_landing_folders() %}
    {#- Fail fast, in one line, when a landing folder is missing or holds no Parquet file. -#}
    {% if execute and flags.WHICH in ('build', 'run', 'test', 'seed', 'compile', 'show') %}
        {% set root = landing_path() %}
        {% for table in landing_tables() %}
            {% set pattern = root ~ '/' ~ table ~ '/*.parquet' %}
            {% set found = run_query("select count(*) from glob('" ~ pattern ~ "')").columns[0].values()[0] %}
            {% if found == 0 %}
                {{ exceptions.raise_compiler_error(
                    "Landing folder missing or empty: " ~ root ~ "/" ~ table ~ "/ (no *.parquet). "
                    ~ "Point KEFU_LANDING_PATH or --vars 'landing_path: ...' at the folder holding the raw_* folders, "
                    ~ "or run `make sample` to generate the sample data.") }}
            {% endif %}
        {% endfor %}
    {% endif %}
    select 1
{% endmacro %}
