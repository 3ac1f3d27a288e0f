{{ select_staged('stg_kefu__faq_questions_checked', [
    'faq_id', 'platform', 'shop_id', 'topic', 'question'
]) }}
