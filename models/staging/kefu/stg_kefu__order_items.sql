{{ select_staged('base_kefu__order_items', [
    'order_id', 'line_id', 'product_id', 'product_name', 'quantity', 'amount'
]) }}
