{{ config(
    materialized='incremental',
    incremental_strategy='lookback',
    lookback_column='event_date',
    unique_key='order_id'
) }}

{#- One row per (order, candidate reception) for the payment event: 落实付款 candidates; candidate_rank 1 = pay_agent. -#}
{{ credited_reception(ref('stg_kefu__orders'), ref('int_receptions__classified'), ref('int_messages__human_phase'),
                      'paid_at') }}
