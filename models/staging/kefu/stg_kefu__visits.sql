{{ select_staged('base_kefu__visits', [
    'landing_row_id', 'platform', 'shop_id', 'visitor_key', 'visited_at', 'product_id'
]) }}
