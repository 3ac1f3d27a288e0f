{#- Written by `kefu metric-registry` from metric_registry.yml: edit the registry, not this file. -#}

{% macro metric_registry() -%}
    {#- The registry's metrics that KPI plans or peer benchmarks may name: name -> label, unit,
        higher_is_better, kpi (a kpi_plan row may name it), benchmark_name (the name a peer_benchmarks row
        uses, none when it may not). -#}
    {{- return({
        'reply_rate': {'label': '回复率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': none},
        'three_minute_response_rate': {'label': '三分钟响应率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': 'three_minute_response_rate'},
        'avg_response_seconds': {'label': '平均响应时长', 'unit': 'seconds', 'higher_is_better': false, 'kpi': false, 'benchmark_name': 'avg_response_seconds'},
        'satisfaction_rate': {'label': '满意率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': 'satisfaction_rate'},
        'avg_order_value': {'label': '客单价', 'unit': 'amount', 'higher_is_better': true, 'kpi': true, 'benchmark_name': none},
        'inquiry_to_order_rate': {'label': '下单转化率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': none},
        'inquiry_to_paid_final_rate': {'label': '询单转化率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': 'inquiry_paid_final_rate'},
        'faq_click_through_rate': {'label': 'FAQ点击率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'faq_click_through_rate'},
        'faq_resolution_rate': {'label': 'FAQ解决率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'faq_resolution_rate'},
        'chat_reply_rate': {'label': '聊聊回复率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'reply_rate'},
        'avg_first_response_seconds': {'label': '首次响应时长', 'unit': 'seconds', 'higher_is_better': false, 'kpi': true, 'benchmark_name': none},
        'chat_inquiry_rate': {'label': '聊聊询单率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'inquiry_rate'},
        'chat_conversion_rate': {'label': '聊聊转化率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'chat_conversion_rate'},
        'sales_amount': {'label': '销售额', 'unit': 'amount', 'higher_is_better': true, 'kpi': true, 'benchmark_name': none},
    }) -}}
{%- endmacro %}
