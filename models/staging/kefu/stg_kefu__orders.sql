{{ select_staged('base_kefu__orders', [
    'order_id', 'platform', 'shop_id', 'buyer_key', 'created_at', 'paid_at', 'order_amount',
    'payment_amount', 'item_quantity', 'status', 'refund_amount', 'updated_at'
]) }}
