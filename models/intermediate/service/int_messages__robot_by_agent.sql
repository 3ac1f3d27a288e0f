{#-
    One row per (agent, date) with robot or system messages in the sessions handed to that agent (the robot phase
    before the transfer included), dated by sent_at: the robot's share of the agent's conversations.
-#}
with sessions as (
    select * from {{ ref('stg_kefu__sessions') }}
    where agent_id is not null
),

messages as (
    select * from {{ ref('stg_kefu__messages') }}
    where sender_role in ('robot', 'system')
),

final as (
    select
        sessions.agent_id,
        cast(messages.sent_at as date) as message_date,
        count(*) as robot_message_count
    from messages
    inner join sessions
        on messages.session_id = sessions.session_id
    group by sessions.agent_id, cast(messages.sent_at as date)
)

select * from final
