{{ select_staged('stg_kefu__faq_events_checked', [
    'event_id', 'platform', 'shop_id', 'buyer_key', 'session_id', 'faq_id', 'event_type', 'occurred_at'
]) }}
