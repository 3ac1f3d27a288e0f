{% macro seconds_of_day(ts) -%}
    {#- Seconds since midnight of a timestamp's own day. -#}
    {{ seconds_between(day_start(ts), ts) }}
{%- endmacro %}

{% macro in_time_window(ts, start_seconds, end_seconds) -%}
    {#- True when the time of day of ts lies in [start_seconds, end_seconds) (SQL expressions of seconds since
        midnight, e.g. shop_rule('assessment_start_seconds') or time_of_day_seconds('douyin_assessment_end')). -#}
    ({{ seconds_of_day(ts) }} >= {{ start_seconds }}
        and {{ seconds_of_day(ts) }} < {{ end_seconds }})
{%- endmacro %}

{% macro safe_ratio(numerator, denominator, cap=none) -%}
    {#- numerator ÷ denominator as a double; null (not 0, not an error) when the denominator is 0 or null.
        cap: an upper bound (e.g. 1 for a share of time that can be overlapped); null stays null. -#}
    {%- if cap is none -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
    {%- else -%}
    case when nullif({{ denominator }}, 0) is not null and {{ numerator }} is not null
        then least({{ cap }}, cast({{ numerator }} as double) / {{ denominator }}) end
    {%- endif -%}
{%- endmacro %}

{% macro round_measures(rounds) -%}
    {#- Aggregates over fct_response_rounds rows (alias `rounds`) for one group: counts and response-time stats. -#}
    count(*) as round_count,
    count(*) filter (where {{ rounds }}.is_answered) as answered_round_count,
    sum({{ rounds }}.response_seconds) as total_response_seconds,
    avg({{ rounds }}.response_seconds) as avg_response_seconds,
    {{ percentile_of(rounds ~ '.response_seconds', 0.5) }} as median_response_seconds,
    {{ percentile_of(rounds ~ '.response_seconds', 0.9) }} as p90_response_seconds,
    count(*) filter (where {{ rounds }}.is_in_assessment_window) as assessment_round_count,
    count(*) filter (where {{ rounds }}.is_in_assessment_window and {{ rounds }}.is_within_deadline)
        as assessment_rounds_within_deadline_count,
    count(*) filter (where {{ rounds }}.is_slow) as slow_round_count
{%- endmacro %}

{% macro reception_measures(receptions) -%}
    {#- Aggregates over fct_reception_service rows (alias `receptions`): first response, reply rate inputs, ratings. -#}
    count(*) filter (where not {{ receptions }}.is_filtered) as reception_count,
    count(*) filter (where {{ receptions }}.initiated_by = 'buyer') as buyer_initiated_reception_count,
    avg({{ receptions }}.first_round_response_seconds) filter (where {{ receptions }}.initiated_by = 'buyer')
        as avg_first_response_seconds,
    sum({{ receptions }}.first_round_response_seconds) filter (where {{ receptions }}.initiated_by = 'buyer')
        as first_response_seconds_sum,
    count({{ receptions }}.first_round_response_seconds) filter (where {{ receptions }}.initiated_by = 'buyer')
        as first_response_count,
    {{ percentile_of(receptions ~ '.first_round_response_seconds', 0.5) }}
        filter (where {{ receptions }}.initiated_by = 'buyer') as median_first_response_seconds,
    count(*) filter (where not {{ receptions }}.is_filtered and {{ receptions }}.buyer_message_count > 0)
        as replyable_reception_count,
    count(*) filter (
        where not {{ receptions }}.is_filtered and {{ receptions }}.buyer_message_count > 0
        and {{ receptions }}.has_answered_round
    ) as replied_reception_count,
    cast(sum({{ receptions }}.rated_count) as bigint) as rated_count,
    cast(sum({{ receptions }}.satisfied_count) as bigint) as satisfied_count
{%- endmacro %}

{% macro interval_load(relation, partition_columns, start_column, end_column, above=0) -%}
    {#-
        A select over `relation` (intervals already clipped to one business date) giving, per partition: max_open
        (most intervals open at once), open_seconds_above (seconds with more than `above` intervals open) and
        open_interval_seconds (the time integral of open intervals). Sweep line: +1 at a start, −1 at an end,
        ends first at the same instant, so back-to-back intervals never overlap.
    -#}
    {%- set partition = partition_columns | join(', ') -%}
    with load_events as (
        select {{ partition }}, {{ start_column }} as event_at, 1 as delta from {{ relation }}
        where {{ end_column }} > {{ start_column }}
        union all
        select {{ partition }}, {{ end_column }} as event_at, -1 as delta from {{ relation }}
        where {{ end_column }} > {{ start_column }}
    ),

    load_running as (
        select
            *,
            sum(delta) over (
                partition by {{ partition }} order by event_at, delta rows between unbounded preceding and current row
            ) as open_count,
            coalesce({{ seconds_between('event_at', 'lead(event_at) over (partition by ' ~ partition
                                        ~ ' order by event_at, delta)') }}, 0) as segment_seconds
        from load_events
    )

    select
        {{ partition }},
        max(open_count) as max_open,
        sum(case when open_count > {{ above }} then segment_seconds else 0 end) as open_seconds_above,
        sum(open_count * segment_seconds) as open_interval_seconds
    from load_running
    group by {{ partition }}
{%- endmacro %}

{% macro response_columns(round_stats, reception_stats) -%}
    {#- The response columns shared by the agent-day and shop-day service marts, from relations built with
        round_measures() (round_stats) and reception_measures() (reception_stats); rates null without denominator. -#}
    coalesce({{ reception_stats }}.reception_count, 0) as reception_count,
        coalesce({{ reception_stats }}.buyer_initiated_reception_count, 0) as buyer_initiated_reception_count,
        {{ reception_stats }}.avg_first_response_seconds,
        {{ reception_stats }}.median_first_response_seconds,
        cast(coalesce({{ reception_stats }}.first_response_seconds_sum, 0) as double) as first_response_seconds_sum,
        cast(coalesce({{ reception_stats }}.first_response_count, 0) as bigint) as first_response_count,
        coalesce({{ round_stats }}.round_count, 0) as round_count,
        coalesce({{ round_stats }}.answered_round_count, 0) as answered_round_count,
        coalesce({{ round_stats }}.total_response_seconds, 0) as total_response_seconds,
        {{ round_stats }}.avg_response_seconds,
        {{ round_stats }}.median_response_seconds,
        {{ round_stats }}.p90_response_seconds,
        coalesce({{ reception_stats }}.replyable_reception_count, 0) as replyable_reception_count,
        coalesce({{ reception_stats }}.replied_reception_count, 0) as replied_reception_count,
        {{ metric_ratio('reply_rate', reception_stats) }}
            as reply_rate,
        coalesce({{ round_stats }}.assessment_round_count, 0) as assessment_round_count,
        coalesce({{ round_stats }}.assessment_rounds_within_deadline_count, 0)
            as assessment_rounds_within_deadline_count,
        {{ metric_ratio('three_minute_response_rate', round_stats) }} as three_minute_response_rate,
        coalesce({{ round_stats }}.slow_round_count, 0) as slow_round_count
{%- endmacro %}

{% macro agent_status_intervals() -%}
    {#- A select of the agents' status intervals (agent_id, status, started_at, ended_at) with the open-interval rule:
        an interval still open (ended_at null) runs until as_of, never the wall clock; empty intervals are dropped.
        Read by int_agent_status__daily and int_agent_status__hourly, so both clip the same intervals. -#}
    select
        status.agent_id,
        status.status,
        status.started_at,
        coalesce(status.ended_at, cast(as_of.as_of_date as timestamp)) as ended_at
    from {{ ref('stg_kefu__agent_status') }} as status
    cross join {{ ref('int_as_of') }} as as_of
    where coalesce(status.ended_at, cast(as_of.as_of_date as timestamp)) > status.started_at
{%- endmacro %}
