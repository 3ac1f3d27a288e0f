{{ select_staged('base_kefu__agent_status', [
    'agent_id', 'status', 'started_at', 'ended_at'
]) }}
