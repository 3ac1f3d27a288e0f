{#-
    The rules in force per shop as effective-dated ranges [effective_from, effective_to): every shop of seeds/shops.csv
    gets a default range from 1900-01-01 (the global vars) until its first shop_rules row; each shop_rules row holds
    from its effective_from until the shop's next row (9999-12-31 = open). Empty cells resolve to the global var.

    Changed rules stop an incremental run: the table keeps the fingerprint (rules_fingerprint) of the rules it was
    built with; when seeds/shop_rules.csv or a rule var moved since, a run without --full-refresh fails here, before
    any incremental model mixes old and new rules (DECISIONLOG "Per-shop rules").
-#}
{%- if execute and not flags.FULL_REFRESH and this is not none and load_relation(this) is not none %}
    {#- one query: does the table hold a fingerprint other than the current rules' (stored.rows[0][0] > 0)? -#}
    {%- set stored = run_query('select count(*) from (select distinct rules_fingerprint from ' ~ this ~ ') as stored '
                               ~ 'where rules_fingerprint is distinct from (select '
                               ~ rules_fingerprint(ref('stg_config__shop_rules')) ~ ')') %}
    {%- if stored.rows[0][0] > 0 %}
        {{ exceptions.raise_compiler_error(
            "kefu: seeds/shop_rules.csv or a rule var changed since the last build; incremental tables would mix "
            ~ "old and new rules. Run `dbt build --full-refresh` (or `kefu build --full-refresh`).") }}
    {%- endif %}
{%- endif %}

with shops as (
    select platform, shop_id from {{ ref('stg_config__shops') }}
),

overrides as (
    select * from {{ ref('stg_config__shop_rules') }}
),

starts as (
    select
        shops.platform,
        shops.shop_id,
        cast('1900-01-01' as date) as effective_from,
        false as is_shop_override,
        {{ shop_rule_columns(mode='null') }}
    from shops
    where
        not exists (
            select 1 from overrides
            where
                overrides.platform = shops.platform
                and overrides.shop_id = shops.shop_id
                and overrides.effective_from <= cast('1900-01-01' as date)
        )
    union all
    select
        platform,
        shop_id,
        effective_from,
        true as is_shop_override,
        {{ shop_rule_columns(alias='overrides', mode='plain') }}
    from overrides
),

ranges as (
    select
        *,
        coalesce(
            lead(effective_from) over (partition by platform, shop_id order by effective_from),
            cast('9999-12-31' as date)
        ) as effective_to
    from starts
),

final as (
    select
        platform,
        shop_id,
        effective_from,
        effective_to,
        is_shop_override,
        {{ shop_rule_columns(alias='ranges') }},
        {{ time_text_seconds(shop_rule('assessment_start', 'ranges')) }} as assessment_start_seconds,
        {{ time_text_seconds(shop_rule('assessment_end', 'ranges')) }} as assessment_end_seconds,
        {{ rule_version('ranges') }} as rule_version,
        {{ rules_fingerprint(ref('stg_config__shop_rules')) }} as rules_fingerprint
    from ranges
)

select * from final
