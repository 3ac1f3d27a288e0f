{#-
    One row per version of an agent's roster row in a shop (platform, shop_id, agent_id, valid_from): the roster
    attributes in force from valid_from (the row's updated_at) until valid_to (the next version's updated_at; null =
    the current version). The history is kept per shop: an agent id listed in two shops has one history in each.
    Two different rows of one agent, shop and updated_at are a conflict (which one held is unknown): both are left
    out, as staging rejects them (DECISIONLOG "Agent roster history").
-#}
with versions as (
    select * from {{ ref('stg_kefu__agent_versions') }}
),

checked as (
    select
        *,
        count(*) over (partition by platform, shop_id, agent_id, updated_at) as rows_at_version
    from versions
),

kept as (
    select * from checked
    where rows_at_version = 1
),

final as (
    select
        platform,
        shop_id,
        agent_id,
        row_number() over (partition by platform, shop_id, agent_id order by updated_at) as version_number,
        updated_at as valid_from,
        lead(updated_at) over (partition by platform, shop_id, agent_id order by updated_at) as valid_to,
        lead(updated_at) over (partition by platform, shop_id, agent_id order by updated_at) is null as is_current,
        agent_name,
        group_name,
        routing_weight,
        max_concurrent,
        is_active
    from kept
)

select * from final
