{{ select_staged('base_kefu__faq_events', [
    'event_id', 'platform', 'shop_id', 'buyer_key', 'session_id', 'faq_id', 'event_type', 'occurred_at'
]) }}
