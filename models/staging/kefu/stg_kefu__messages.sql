{{ select_staged('base_kefu__messages', [
    'message_id', 'session_id', 'sent_at', 'sender_role', 'is_auto_reply', 'content_type', 'content'
]) }}
