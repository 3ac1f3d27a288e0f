{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='reception_date') }}

{#-
    One row per reception with its service facts (docs/metrics.md §4–§5): whether a round starting in it got a manual
    reply (回复率), the response to its first round (首次响应, used for buyer-initiated receptions) and the rating
    attached to it. A rating attaches to the reception holding its session's last human-phase message (the
    conversation the buyer rated); the latest rating per session wins (staging).
    Incremental: receptions dated from the look-back start; a reception's rounds are dated on its date, and the last
    reception of a session is at or after any of its receptions, so the inputs are read from the same date on.
-#}
with receptions as (
    select * from {{ ref('int_receptions__classified') }}
    where {{ incremental_window('reception_date') }}
),

rounds as (
    select * from {{ ref('fct_response_rounds') }}
    where {{ incremental_window('round_date') }}
),

human_phase as (
    select * from {{ ref('int_messages__human_phase') }}
    where {{ incremental_window('effective_date') }}
),

ratings as (
    select * from {{ ref('stg_kefu__ratings') }}
),

reception_rounds as (
    select
        reception_id,
        count(*) as round_count,
        bool_or(is_answered) as has_answered_round,
        -- rounds of two sessions of one reception can start in the same second: the smaller round_id is first
        {{ arg_min_of('response_seconds', ordering_key(['round_start_at', 'round_id'])) }}
            as first_round_response_seconds,
        {{ arg_min_of('is_answered', ordering_key(['round_start_at', 'round_id'])) }} as is_first_round_answered
    from rounds
    group by reception_id
),

session_last_reception as (
    select
        session_id,
        {{ arg_max_of('reception_id', 'effective_at') }} as reception_id
    from human_phase
    where is_buyer_message or is_manual_agent_message
    group by session_id
),

reception_ratings as (
    select
        session_last_reception.reception_id,
        count(*) as rated_count,
        count(*) filter (where ratings.rating >= 4) as satisfied_count
    from ratings
    inner join session_last_reception
        on ratings.session_id = session_last_reception.session_id
    group by session_last_reception.reception_id
),

final as (
    select
        receptions.reception_id,
        receptions.platform,
        receptions.shop_id,
        receptions.agent_id,
        receptions.buyer_key,
        receptions.reception_date,
        receptions.first_message_at,
        receptions.initiated_by,
        receptions.is_filtered,
        receptions.buyer_message_count,
        coalesce(reception_rounds.round_count, 0) as round_count,
        coalesce(reception_rounds.has_answered_round, false) as has_answered_round,
        reception_rounds.first_round_response_seconds,
        coalesce(reception_rounds.is_first_round_answered, false) as is_first_round_answered,
        coalesce(reception_ratings.rated_count, 0) as rated_count,
        coalesce(reception_ratings.satisfied_count, 0) as satisfied_count
    from receptions
    left join reception_rounds
        on receptions.reception_id = reception_rounds.reception_id
    left join reception_ratings
        on receptions.reception_id = reception_ratings.reception_id
)

select * from final
