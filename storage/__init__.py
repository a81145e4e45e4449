"""What is kept about a conversation, where, and how it is cleaned.

* ``db``: where the database is (``SEND_DATABASE_URL`` or a local SQLite file), an
  engine that fails fast, and the retention period (``SEND_RETENTION_DAYS``).
* ``tracker_store``: Rasa's conversation store, redacting personal details
  (``endpoints.yml``: ``storage.tracker_store.RedactingSQLTrackerStore``).
* ``redaction``: removes personal details from free text before it is kept.
* ``drafts``: the callback form's answers while it is open, held by the action server.
* ``redis_state``: what several servers share (Redis when ``SEND_REDIS_URL`` is set).
* ``lock_store``: Rasa's conversation locks (``storage.lock_store.ConversationLockStore``).

Deleting old requests and conversations (``python -m enquiries purge``) is in
``enquiries/store.py``, next to the callback requests it deletes with them.
"""
