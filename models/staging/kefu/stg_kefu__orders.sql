{{ select_staged('stg_kefu__orders_checked', [
    'order_id', 'platform', 'shop_id', 'buyer_key', 'created_at', 'paid_at', 'order_amount',
    'payment_amount', 'item_quantity', 'status', 'refund_amount', 'updated_at'
]) }}
