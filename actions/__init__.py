"""The assistant's action server (rasa-sdk).

Modules:
  content.py   reads content/*.yml: services, routes, wording (the council edits those)
  replies.py   plain functions that compose every reply from content and context
  fallback.py  when NLU is unsure ("Did you mean"), and a second problem in one message
  safety.py    the keyword safety net for crisis messages
  languages.py which other language a message is in (run in the Rasa server's NLU pipeline)
  base.py      the base class every action uses: thin, and never fails silently
  *_actions.py the rasa-sdk actions, one module per concern
  content_check.py, plain_english.py   `make content-check` and the readability measure
"""
