{{ config(materialized='incremental', incremental_strategy='lookback', lookback_column='round_date') }}

{#-
    One row per response round and business date it waits on: the buyer waits from round_start_at until the reply,
    or, unanswered, until the session ends (else the end of the round's day); pieces are clipped at midnight
    (wait_start_at / wait_end_at; round_wait_* keep the whole wait).
    Feeds "buyers waiting" (routing busy time and the hourly wall screen).
    Incremental by round_date (the date the round starts): the rounds recomputed, with every piece of their wait.
-#}
with rounds as (
    select * from {{ ref('fct_response_rounds') }}
    where {{ incremental_window('round_date') }}
),

waits as (
    select
        round_id,
        platform,
        shop_id,
        agent_id,
        buyer_key,
        round_date,
        round_start_at as wait_start_at,
        coalesce(replied_at, session_ended_at, {{ day_start('round_start_at', 1) }}) as wait_end_at
    from rounds
),

pieces as (
    select
        *,
        {{ day_pieces('wait_start_at', 'wait_end_at') }} as piece_date
    from waits
    where wait_end_at > wait_start_at
),

final as (
    select
        round_id,
        platform,
        shop_id,
        agent_id,
        buyer_key,
        round_date,
        cast(piece_date as date) as wait_date,
        wait_start_at as round_wait_start_at,
        wait_end_at as round_wait_end_at,
        greatest(wait_start_at, {{ day_start('piece_date') }}) as wait_start_at,
        least(wait_end_at, {{ day_start('piece_date', 1) }}) as wait_end_at
    from pieces
    where least(wait_end_at, {{ day_start('piece_date', 1) }}) > greatest(wait_start_at, {{ day_start('piece_date') }})
)

select * from final
