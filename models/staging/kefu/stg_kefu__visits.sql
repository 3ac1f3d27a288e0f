{{ select_staged('stg_kefu__visits_checked', [
    'platform', 'shop_id', 'visitor_key', 'visited_at', 'product_id'
]) }}
