{{ select_staged('base_kefu__faq_questions', [
    'faq_id', 'platform', 'shop_id', 'topic', 'question'
]) }}
