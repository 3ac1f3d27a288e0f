{#-
    One row per landed version of a roster row (raw_agents): every row that passed the field checks and is not an
    exact copy, including the older versions that stg_kefu__agents drops as superseded. Input of the roster history
    (int_agents__roster_history).
-#}
select
    agent_id,
    platform,
    shop_id,
    agent_name,
    group_name,
    routing_weight,
    max_concurrent,
    is_active,
    updated_at
from {{ ref('base_kefu__agents') }}
where _copy_number = 1 and _field_reject_reason is null
