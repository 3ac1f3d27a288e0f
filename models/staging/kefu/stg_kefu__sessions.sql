{{ select_staged('base_kefu__sessions', [
    'session_id', 'platform', 'shop_id', 'buyer_key', 'agent_id', 'started_at', 'ended_at',
    'human_joined_at', 'entry_point', 'transferred_from_session_id'
]) }}
