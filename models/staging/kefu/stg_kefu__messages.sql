{{ select_staged('stg_kefu__messages_checked', [
    'message_id', 'session_id', 'sent_at', 'sender_role', 'is_auto_reply', 'content_type', 'content'
]) }}
