{#- Written by `kefu metric-registry` from metric_registry.yml: edit the registry, not this file. -#}

{% macro metric_registry() -%}
    {#- The registry's metrics that KPI plans or peer benchmarks may name or marts compute with
        metric_ratio(): name -> label, unit, higher_is_better, kpi (a kpi_plan row may name it),
        benchmark_name (the name a peer_benchmarks row uses, none when it may not), sql (the mart columns
        of the ratio, none when no mart computes it with metric_ratio). -#}
    {{- return({
        'reply_rate': {'label': '回复率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': none, 'sql': {'numerator': ['replied_reception_count'], 'denominator': ['replyable_reception_count']}, 'sql_period': none, 'cap': none},
        'three_minute_response_rate': {'label': '三分钟响应率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': 'three_minute_response_rate', 'sql': {'numerator': ['assessment_rounds_within_deadline_count'], 'denominator': ['assessment_round_count']}, 'sql_period': none, 'cap': none},
        'feige_session_reply_rate': {'label': '飞鸽3分钟人工回复率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': none, 'sql': {'numerator': ['feige_passed_session_count'], 'denominator': ['feige_session_count']}, 'sql_period': none, 'cap': none},
        'avg_response_seconds': {'label': '平均响应时长', 'unit': 'seconds', 'higher_is_better': false, 'kpi': false, 'benchmark_name': 'avg_response_seconds', 'sql': {'numerator': ['total_response_seconds'], 'denominator': ['answered_round_count']}, 'sql_period': none, 'cap': none},
        'satisfaction_rate': {'label': '满意率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': 'satisfaction_rate', 'sql': {'numerator': ['satisfied_count'], 'denominator': ['rated_count']}, 'sql_period': none, 'cap': none},
        'avg_order_value': {'label': '客单价', 'unit': 'amount', 'higher_is_better': true, 'kpi': true, 'benchmark_name': none, 'sql': {'numerator': ['sales_amount'], 'denominator': ['sales_buyers']}, 'sql_period': none, 'cap': none},
        'inquiry_to_order_rate': {'label': '下单转化率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': none, 'sql': {'numerator': ['ordered_buyers'], 'denominator': ['inquiry_buyers']}, 'sql_period': {'numerator': ['ordered_buyer_days'], 'denominator': ['cohort_inquiry_buyer_days']}, 'cap': none},
        'inquiry_to_paid_final_rate': {'label': '询单转化率', 'unit': 'share', 'higher_is_better': true, 'kpi': true, 'benchmark_name': 'inquiry_paid_final_rate', 'sql': {'numerator': ['paid_final_buyers'], 'denominator': ['inquiry_buyers']}, 'sql_period': {'numerator': ['paid_final_buyer_days'], 'denominator': ['cohort_inquiry_buyer_days']}, 'cap': none},
        'faq_click_through_rate': {'label': 'FAQ点击率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'faq_click_through_rate', 'sql': {'numerator': ['clicked_trigger_count'], 'denominator': ['trigger_count']}, 'sql_period': none, 'cap': none},
        'faq_resolution_rate': {'label': 'FAQ解决率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'faq_resolution_rate', 'sql': {'numerator': ['resolved_count'], 'denominator': ['resolved_count', 'transferred_count']}, 'sql_period': none, 'cap': none},
        'chat_reply_rate': {'label': '聊聊回复率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'reply_rate', 'sql': {'numerator': ['replied_chat_count'], 'denominator': ['chat_buyer_count']}, 'sql_period': none, 'cap': none},
        'avg_first_response_seconds': {'label': '首次响应时长', 'unit': 'seconds', 'higher_is_better': false, 'kpi': true, 'benchmark_name': none, 'sql': {'numerator': ['first_response_seconds_sum'], 'denominator': ['first_response_count']}, 'sql_period': none, 'cap': none},
        'message_ratio': {'label': '问答比', 'unit': 'ratio', 'higher_is_better': none, 'kpi': false, 'benchmark_name': none, 'sql': {'numerator': ['manual_agent_message_count'], 'denominator': ['buyer_message_count']}, 'sql_period': none, 'cap': none},
        'ordered_same_day_rate': {'label': '当日下单率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': none, 'sql': {'numerator': ['ordered_same_day_buyers'], 'denominator': ['inquiry_buyers']}, 'sql_period': none, 'cap': none},
        'inquiry_to_paid_next_day_rate': {'label': '询单→次日付款成功率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': none, 'sql': {'numerator': ['paid_next_day_buyers'], 'denominator': ['inquiry_buyers']}, 'sql_period': none, 'cap': none},
        'faq_effectiveness_rate': {'label': 'FAQ有效率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': none, 'sql': {'numerator': ['helpful_count'], 'denominator': ['helpful_count', 'unhelpful_count']}, 'sql_period': none, 'cap': none},
        'chat_avg_response_seconds': {'label': '聊聊平均响应时长', 'unit': 'seconds', 'higher_is_better': false, 'kpi': false, 'benchmark_name': none, 'sql': {'numerator': ['response_seconds_sum'], 'denominator': ['replied_chat_count']}, 'sql_period': none, 'cap': none},
        'chat_inquiry_rate': {'label': '聊聊询单率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'inquiry_rate', 'sql': {'numerator': ['chat_buyer_count'], 'denominator': ['visitor_count']}, 'sql_period': none, 'cap': none},
        'chat_conversion_rate': {'label': '聊聊转化率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': 'chat_conversion_rate', 'sql': {'numerator': ['ordering_buyer_count'], 'denominator': ['replied_chat_count']}, 'sql_period': none, 'cap': none},
        'chat_buyer_paid_rate': {'label': '聊聊买家付款率', 'unit': 'share', 'higher_is_better': none, 'kpi': false, 'benchmark_name': none, 'sql': {'numerator': ['paying_buyer_count'], 'denominator': ['chat_buyer_count']}, 'sql_period': none, 'cap': none},
        'sales_amount': {'label': '销售额', 'unit': 'amount', 'higher_is_better': true, 'kpi': true, 'benchmark_name': none, 'sql': none, 'sql_period': none, 'cap': none},
        'rating_rate': {'label': '评价率', 'unit': 'share', 'higher_is_better': true, 'kpi': false, 'benchmark_name': none, 'sql': {'numerator': ['rated_count'], 'denominator': ['reception_count']}, 'sql_period': none, 'cap': '1'},
    }) -}}
{%- endmacro %}
