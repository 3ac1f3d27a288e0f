{{ select_staged('base_kefu__visits', [
    'platform', 'shop_id', 'visitor_key', 'visited_at', 'product_id'
]) }}
