{{ select_staged('stg_kefu__agent_status_checked', [
    'agent_id', 'status', 'started_at', 'ended_at'
]) }}
