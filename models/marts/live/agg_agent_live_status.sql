{#-
    One row per agent of the roster (platform, shop, agent) at the shop's data clock (status_at = the latest landed
    message of the shop): the agent's status then, open sessions, buyers waiting for this agent right now and the
    longest current wait (docs/metrics.md "Live status"). Nothing reads the wall clock: "now" is the data's own time.
-#}
with messages as (
    select * from {{ ref('stg_kefu__messages') }}
),

sessions as (
    select * from {{ ref('stg_kefu__sessions') }}
),

agents as (
    select * from {{ ref('stg_kefu__agents') }}
),

agent_status as (
    select * from {{ ref('stg_kefu__agent_status') }}
),

rounds as (
    select * from {{ ref('fct_response_rounds') }}
),

shop_clock as (
    select
        sessions.platform,
        sessions.shop_id,
        max(messages.sent_at) as status_at
    from messages
    inner join sessions
        on messages.session_id = sessions.session_id
    group by sessions.platform, sessions.shop_id
),

roster as (
    select
        agents.platform,
        agents.shop_id,
        agents.agent_id,
        agents.agent_name,
        shop_clock.status_at,
        cast(shop_clock.status_at as date) as status_date
    from agents
    inner join shop_clock
        on
            agents.platform = shop_clock.platform
            and agents.shop_id = shop_clock.shop_id
),

current_status as (
    select
        roster.agent_id,
        max(agent_status.status) as status
    from roster
    inner join agent_status
        on
            roster.agent_id = agent_status.agent_id
            and agent_status.started_at <= roster.status_at
            and (agent_status.ended_at is null or agent_status.ended_at > roster.status_at)
    group by roster.agent_id
),

open_sessions as (
    {#- sessions of the clock's business date that a human has joined and that have not ended by the clock -#}
    select
        roster.agent_id,
        count(*) as open_session_count
    from roster
    inner join sessions
        on
            roster.agent_id = sessions.agent_id
            and sessions.started_at <= roster.status_at
            and sessions.started_at >= cast(roster.status_date as timestamp)
            and coalesce(sessions.human_joined_at, sessions.started_at) <= roster.status_at
            and (sessions.ended_at is null or sessions.ended_at > roster.status_at)
    group by roster.agent_id
),

waiting as (
    {#- unanswered rounds of unfiltered receptions started on the clock's business date, session not yet ended -#}
    select
        roster.agent_id,
        count(distinct rounds.buyer_key) as waiting_buyer_count,
        cast(max({{ seconds_between('rounds.round_start_at', 'roster.status_at') }}) as {{ dbt.type_bigint() }})
            as longest_wait_seconds
    from roster
    inner join rounds
        on
            roster.platform = rounds.platform
            and roster.shop_id = rounds.shop_id
            and roster.agent_id = rounds.agent_id
            and rounds.round_date = roster.status_date
            and rounds.round_start_at <= roster.status_at
            and rounds.replied_at is null
            and not rounds.is_filtered_reception
            and (rounds.session_ended_at is null or rounds.session_ended_at > roster.status_at)
    group by roster.agent_id
),

final as (
    select
        roster.platform,
        roster.shop_id,
        roster.agent_id,
        roster.agent_name,
        roster.status_at,
        roster.status_date,
        coalesce(current_status.status, 'offline') as current_status,
        coalesce(current_status.status in ('online', 'busy'), false) as is_online,
        coalesce(open_sessions.open_session_count, 0) as open_session_count,
        coalesce(waiting.waiting_buyer_count, 0) as waiting_buyer_count,
        waiting.longest_wait_seconds
    from roster
    left join current_status
        on roster.agent_id = current_status.agent_id
    left join open_sessions
        on roster.agent_id = open_sessions.agent_id
    left join waiting
        on roster.agent_id = waiting.agent_id
)

select * from final
