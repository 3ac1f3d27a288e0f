{{ select_staged('stg_kefu__ratings_checked', [
    'session_id', 'rated_at', 'rating'
]) }}
