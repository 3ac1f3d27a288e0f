{{ select_staged('base_kefu__agents', [
    'agent_id', 'platform', 'shop_id', 'agent_name', 'group_name', 'routing_weight', 'max_concurrent',
    'is_active', 'updated_at'
]) }}
