{#-
    One row per order with its payment chase (催付, docs/metrics.md §11). The chase window runs from created_at to the
    earliest of paid_at, the cancellation (a closed order never paid: its latest version's updated_at) and
    created_at + chase_window_hours. A chase is a manual agent message to the buyer at the shop strictly inside the
    window, from any reception except one filtered as the shop's own / test account (a bare one-line chase is a
    single_line-filtered reception and still a chase); the first one counts (ties → lower agent_id). A chased order
    is recovered when paid before the end of chase date + final_pay_days − 1 (the shop's rule on the created date).
    An unchased order is missed once its window has closed unpaid (expired or cancelled) by as_of.
-#}
with orders as (
    select * from {{ ref('stg_kefu__orders') }}
),

messages as (
    select * from {{ ref('int_messages__human_phase') }}
    where is_manual_agent_message
),

receptions as (
    select * from {{ ref('int_receptions__classified') }}
),

order_agent as (
    select * from {{ ref('int_orders__order_agent') }}
    where candidate_rank = 1
),

pay_agent as (
    select * from {{ ref('int_orders__pay_agent') }}
    where candidate_rank = 1
),

as_of as (
    select * from {{ ref('int_as_of') }}
),

windows as (
    select
        order_id,
        platform,
        shop_id,
        buyer_key,
        cast(created_at as date) as order_date,
        created_at,
        paid_at,
        order_amount,
        payment_amount,
        case when status = 'closed' and paid_at is null then updated_at end as cancelled_at,
        {{ dbt.dateadd('hour', var('chase_window_hours') | int, 'created_at') }} as expires_at
    from orders
),

bounded as (
    select
        *,
        least(
            expires_at,
            coalesce(paid_at, expires_at),
            coalesce(cancelled_at, expires_at)
        ) as chase_window_end_at
    from windows
),

chase_messages as (
    select
        bounded.order_id,
        messages.agent_id,
        messages.reception_id,
        messages.effective_at,
        row_number() over (
            partition by bounded.order_id
            order by messages.effective_at, messages.agent_id, messages.message_id
        ) as chase_rank
    from bounded
    inner join messages
        on
            bounded.platform = messages.platform
            and bounded.shop_id = messages.shop_id
            and bounded.buyer_key = messages.buyer_key
            and messages.effective_at > bounded.created_at
            and messages.effective_at < bounded.chase_window_end_at
    inner join receptions
        on messages.reception_id = receptions.reception_id
    where receptions.filter_reason is null or receptions.filter_reason != 'account'
),

first_chase as (
    select * from chase_messages
    where chase_rank = 1
),

joined as (
    select
        bounded.*,
        first_chase.agent_id as chase_agent_id,
        first_chase.reception_id as chase_reception_id,
        first_chase.effective_at as first_chased_at,
        order_agent.agent_id as order_agent_id,
        pay_agent.agent_id as pay_agent_id,
        {{ payment_horizon_end('first_chase.effective_at', shop_rule('final_pay_days')) }} as recovery_horizon_end_at,
        cast(as_of.as_of_date as timestamp) as as_of_at
    from bounded
    cross join as_of
    left join first_chase
        on bounded.order_id = first_chase.order_id
    left join order_agent
        on bounded.order_id = order_agent.order_id
    left join pay_agent
        on bounded.order_id = pay_agent.order_id
    {{ join_shop_rules('bounded.platform', 'bounded.shop_id', 'bounded.order_date') }}
),

final as (
    select
        order_id,
        platform,
        shop_id,
        buyer_key,
        order_date,
        created_at,
        paid_at,
        cancelled_at,
        expires_at,
        chase_window_end_at,
        order_amount,
        payment_amount,
        order_agent_id,
        pay_agent_id,
        chase_agent_id,
        chase_reception_id,
        first_chased_at,
        chase_agent_id is not null as is_chased,
        chase_agent_id is null and chase_window_end_at <= as_of_at
        and (paid_at is null or paid_at >= expires_at) as is_missed,
        recovery_horizon_end_at,
        chase_agent_id is not null and paid_at is not null and paid_at < recovery_horizon_end_at as is_recovered,
        chase_agent_id is not null and recovery_horizon_end_at <= as_of_at as is_mature_recovery
    from joined
)

select * from final
