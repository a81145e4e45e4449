"""The assistant's action server (rasa-sdk): thin adapters around ``advice/``.

Modules:
  base.py       the base class every action uses: thin, and never fails silently
  *_actions.py  the rasa-sdk actions, one module per concern: each reads the
                tracker, calls ``advice/`` for the reply, and dispatches it
  server.py     the action server's entry point (``python -m actions.server``),
                rasa-sdk with the shared-secret check
"""
