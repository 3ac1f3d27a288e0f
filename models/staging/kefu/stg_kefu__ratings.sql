{{ select_staged('base_kefu__ratings', [
    'session_id', 'rated_at', 'rating'
]) }}
