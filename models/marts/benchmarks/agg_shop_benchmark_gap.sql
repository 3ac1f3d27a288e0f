{#-
    One row per (platform, shop, period, metric) named in seed peer_benchmarks for the shop's category and tier
    (同行同层): the shop's value for the calendar month next to 同行同层优秀 (excellent_value) and 平均 (median_value),
    and the gaps (shop − benchmark; positive is better when is_higher_better). Shop values are ratios of the month's
    sums (not means of daily rates); shop_value is null when the shop has no data for the metric that month.
-#}
{%- set metrics = benchmark_metrics() %}

with benchmarks as (
    select * from {{ ref('stg_config__peer_benchmarks') }}
),

shops as (
    select * from {{ ref('stg_config__shops') }}
),

chat as (
    select * from {{ ref('agg_shop_daily_chat_funnel') }}
),

service as (
    select * from {{ ref('agg_shop_daily_service') }}
),

conversion as (
    select * from {{ ref('agg_shop_daily_conversion') }}
),

faq as (
    select * from {{ ref('agg_faq_daily') }}
    where is_shop_total
),

chat_month as (
    select
        platform,
        shop_id,
        {{ month_label('activity_date') }} as period,
        {{ metric_ratio('chat_reply_rate', agg='sum') }} as reply_rate,
        {{ metric_ratio('chat_inquiry_rate', agg='sum') }} as inquiry_rate,
        -- 转化率: replied chats whose buyer ordered ÷ replied chats (agg_shop_daily_chat_funnel.conversion_rate)
        {{ metric_ratio('chat_conversion_rate', agg='sum') }} as chat_conversion_rate
    from chat
    group by all
),

service_month as (
    select
        platform,
        shop_id,
        {{ month_label('service_date') }} as period,
        {{ metric_ratio('three_minute_response_rate', agg='sum') }}
            as three_minute_response_rate,
        {{ metric_ratio('avg_response_seconds', agg='sum',
                        columns={'total_response_seconds': 'avg_response_seconds * answered_round_count'}) }}
            as avg_response_seconds,
        {{ metric_ratio('satisfaction_rate', agg='sum') }} as satisfaction_rate
    from service
    group by all
),

conversion_month as (
    select
        platform,
        shop_id,
        {{ month_label('inquiry_date') }} as period,
        {{ metric_ratio('inquiry_to_paid_final_rate', agg='sum') }} as inquiry_paid_final_rate
    from conversion
    where is_mature_paid_final
    group by all
),

faq_month as (
    select
        platform,
        shop_id,
        {{ month_label('event_date') }} as period,
        -- 点击率: triggers with a click ÷ triggers (agg_faq_daily.click_through_rate)
        {{ metric_ratio('faq_click_through_rate', agg='sum') }} as faq_click_through_rate,
        {{ metric_ratio('faq_resolution_rate', agg='sum') }} as faq_resolution_rate
    from faq
    group by all
),

shop_values as (
    {%- set sources = [
        ('chat_month', 'reply_rate'), ('chat_month', 'inquiry_rate'), ('chat_month', 'chat_conversion_rate'),
        ('service_month', 'three_minute_response_rate'), ('service_month', 'avg_response_seconds'),
        ('service_month', 'satisfaction_rate'), ('conversion_month', 'inquiry_paid_final_rate'),
        ('faq_month', 'faq_click_through_rate'), ('faq_month', 'faq_resolution_rate'),
    ] %}
    {%- for relation, column in sources %}
    select platform, shop_id, period, '{{ column }}' as metric_name, {{ column }} as shop_value from {{ relation }}
    {{- ' union all' if not loop.last }}
    {%- endfor %}
),

metric_directions as (
    {%- for name, flags in metrics.items() %}
    select '{{ name }}' as metric_name, {{ flags[0] }} as is_higher_better{{ ' union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        shops.platform,
        shops.shop_id,
        shops.category,
        shops.tier,
        benchmarks.period,
        benchmarks.metric_name,
        metric_directions.is_higher_better,
        shop_values.shop_value,
        benchmarks.excellent_value,
        benchmarks.median_value,
        shop_values.shop_value - benchmarks.excellent_value as gap_to_excellent,
        shop_values.shop_value - benchmarks.median_value as gap_to_median,
        case
            when metric_directions.is_higher_better then shop_values.shop_value >= benchmarks.excellent_value
            else shop_values.shop_value <= benchmarks.excellent_value
        end as is_at_excellent,
        case
            when metric_directions.is_higher_better then shop_values.shop_value >= benchmarks.median_value
            else shop_values.shop_value <= benchmarks.median_value
        end as is_at_or_above_median
    from benchmarks
    inner join shops
        on
            benchmarks.platform = shops.platform
            and benchmarks.category = shops.category
            and benchmarks.tier = shops.tier
    inner join metric_directions
        on benchmarks.metric_name = metric_directions.metric_name
    left join shop_values
        on
            shops.platform = shop_values.platform
            and shops.shop_id = shop_values.shop_id
            and benchmarks.period = shop_values.period
            and benchmarks.metric_name = shop_values.metric_name
)

select * from final
