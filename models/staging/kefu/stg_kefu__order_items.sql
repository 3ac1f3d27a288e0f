{{ select_staged('stg_kefu__order_items_checked', [
    'order_id', 'line_id', 'product_id', 'product_name', 'quantity', 'amount'
]) }}
