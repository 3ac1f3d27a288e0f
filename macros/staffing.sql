{#-
    Erlang C for chat staffing (docs/metrics.md §10). A chat agent holds several conversations at once, so the queue
    has servers = agents × concurrency. Erlang B comes from its Poisson form, B(N, A) = pmf(N; A) ÷ cdf(N; A), with
    ln k! as a running window sum of ln j over a generated range of integers; every term is scaled by the largest
    pmf of the group (exp(ln pmf − max ln pmf)), so a load of hundreds of Erlangs does not underflow. Then
    C = N·B ÷ (N − A(1 − B)) and the service level SL = 1 − C·exp(−(N − A)·T ÷ AHT) for N > A; with N ≤ A the
    queue grows without bound and SL = 0. Plain SQL (ln, exp, sqrt, windows) on DuckDB and Spark; the integer range
    is the dispatched integer_series().
-#}

{% macro staffing_epsilon() -%}
    {#- Slack for whole-number steps on doubles (14 ÷ 1.1 is 12.727…, but 11 ÷ 1.1 must be 10, not 10.000000000000002). -#}
    0.000000001
{%- endmacro %}

{% macro staffing_loads(relation, arrivals_column) -%}
    {#- Every row of `relation` (arrivals, aht_seconds, avg_online_agents, concurrency) with its offered load in
        Erlangs (arrivals × AHT ÷ 3600) and the servers online (agents × concurrency, whole servers). -#}
    select
        *,
        coalesce({{ arrivals_column }} * aht_seconds / 3600.0, 0.0) as offered_load_erlangs,
        cast(floor(avg_online_agents * concurrency + {{ staffing_epsilon() }}) as integer) as observed_server_count
    from {{ relation }}
{%- endmacro %}

{% macro keys_equal(key_columns, left, right) -%}
    {#- left.k = right.k and … for every key column (a join condition). -#}
    {%- for key in key_columns %}{{ ' and ' if not loop.first }}{{ left }}.{{ key }} = {{ right }}.{{ key }}{% endfor -%}
{%- endmacro %}

{% macro erlang_service_levels(relation, key_columns) -%}
    {#-
        A select over `relation` (one row per key with offered_load_erlangs > 0, aht_seconds > 0, deadline_seconds,
        concurrency and observed_server_count, which may be null) giving one row per key and server_count N in
        0 … server_bound with offered_load_erlangs and service_level. server_bound = the larger of
        observed_server_count and ceil(A + 8·√A + 30 + concurrency), capped at var staffing_max_servers: beyond
        A + 8·√A + 30 servers Erlang C is below 1e-16 for any load, so no target a double can tell from 1 needs more.
    -#}
    {%- set keys = key_columns | join(', ') -%}
    {%- set max_servers = var('staffing_max_servers') | int -%}
    with erlang_inputs as (
        select
            {{ keys }},
            offered_load_erlangs,
            aht_seconds,
            deadline_seconds,
            least(
                {{ max_servers }},
                greatest(
                    coalesce(observed_server_count, 0),
                    cast(ceil(offered_load_erlangs + 8 * sqrt(offered_load_erlangs) + 30 + concurrency) as integer)
                )
            ) as server_bound
        from {{ relation }}
        where offered_load_erlangs > 0 and aht_seconds > 0
    ),

    server_numbers as (
        select series_value as server_count
        from {{ integer_series(0, max_servers) }}
    ),

    log_factorials as (
        -- ln k! = ln 1 + … + ln k (ln 0! = 0)
        select
            server_count,
            sum(case when server_count > 0 then ln(server_count) else 0.0 end) over (
                order by server_count rows between unbounded preceding and current row
            ) as ln_factorial
        from server_numbers
    ),

    log_pmf as (
        select
            {% for key in key_columns %}erlang_inputs.{{ key }}, {% endfor %}
            erlang_inputs.offered_load_erlangs,
            erlang_inputs.aht_seconds,
            erlang_inputs.deadline_seconds,
            log_factorials.server_count,
            -erlang_inputs.offered_load_erlangs + log_factorials.server_count * ln(erlang_inputs.offered_load_erlangs)
            - log_factorials.ln_factorial as ln_pmf
        from erlang_inputs
        inner join log_factorials
            on log_factorials.server_count <= erlang_inputs.server_bound
    ),

    scaled_pmf as (
        select
            *,
            exp(ln_pmf - max(ln_pmf) over (partition by {{ keys }})) as pmf_term
        from log_pmf
    ),

    erlang_b as (
        select
            *,
            pmf_term / sum(pmf_term) over (
                partition by {{ keys }} order by server_count rows between unbounded preceding and current row
            ) as blocking_probability
        from scaled_pmf
    ),

    erlang_c as (
        select
            *,
            case
                when server_count > offered_load_erlangs
                    then server_count * blocking_probability
                    / (server_count - offered_load_erlangs * (1 - blocking_probability))
                else 1.0
            end as waiting_probability
        from erlang_b
    )

    select
        {{ keys }},
        server_count,
        offered_load_erlangs,
        waiting_probability,
        case
            when server_count > offered_load_erlangs
                then greatest(0.0, 1 - waiting_probability
                    * exp(-(server_count - offered_load_erlangs) * deadline_seconds / aht_seconds))
            else 0.0
        end as service_level
    from erlang_c
{%- endmacro %}

{% macro erlang_staffing(relation, key_columns) -%}
    {#-
        A select over `relation` (the columns of erlang_service_levels plus target_service_level) giving every column
        of `relation` and, per key: required_server_count (the fewest servers N > A whose service level reaches the
        target; null when no N up to staffing_max_servers does), required_agent_count = ceil(N ÷ concurrency),
        service_level_at_required (SL with floor(required agents × concurrency) servers), online_service_level (SL
        with observed_server_count servers; 0 with none) and is_beyond_max_servers. Without load (A = 0 or no handle
        time) the required agents are 0, is_beyond_max_servers false and both service levels null.
    -#}
    {%- set keys = key_columns | join(', ') -%}
    {%- set max_servers = var('staffing_max_servers') | int -%}
    with staffing_inputs as (
        select
            *,
            coalesce(offered_load_erlangs > 0 and aht_seconds > 0, false) as has_load
        from {{ relation }}
    ),

    service_levels as (
        {{ erlang_service_levels('staffing_inputs', key_columns) }}
    ),

    required as (
        select
            {% for key in key_columns %}service_levels.{{ key }}, {% endfor %}
            min(service_levels.server_count) as required_server_count
        from service_levels
        inner join staffing_inputs
            on {{ keys_equal(key_columns, 'service_levels', 'staffing_inputs') }}
        where
            service_levels.server_count > service_levels.offered_load_erlangs
            and service_levels.service_level >= staffing_inputs.target_service_level
        group by {% for key in key_columns %}service_levels.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
    ),

    with_required as (
        select
            staffing_inputs.*,
            required.required_server_count,
            case
                when not staffing_inputs.has_load then 0
                when required.required_server_count is not null
                    then cast(ceil(required.required_server_count / staffing_inputs.concurrency - {{ staffing_epsilon() }})
                        as integer)
            end as required_agent_count,
            staffing_inputs.has_load and required.required_server_count is null as is_beyond_max_servers
        from staffing_inputs
        left join required
            on {{ keys_equal(key_columns, 'staffing_inputs', 'required') }}
    )

    select
        with_required.*,
        at_required.service_level as service_level_at_required,
        at_online.service_level as online_service_level
    from with_required
    left join service_levels as at_required
        on
            {{ keys_equal(key_columns, 'with_required', 'at_required') }}
            and with_required.required_server_count is not null
            and at_required.server_count = least(
                {{ max_servers }},
                cast(floor(with_required.required_agent_count * with_required.concurrency + {{ staffing_epsilon() }})
                    as integer)
            )
    left join service_levels as at_online
        on
            {{ keys_equal(key_columns, 'with_required', 'at_online') }}
            and at_online.server_count = least({{ max_servers }}, coalesce(with_required.observed_server_count, 0))
{%- endmacro %}
