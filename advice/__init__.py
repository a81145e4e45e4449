"""What the assistant knows and says: the domain, with no Rasa in it.

Nothing here imports rasa, rasa_sdk or sanic (tests/unit/test_layout.py checks
it), so every rule can be tested without starting a server. The adapters call in:
``actions/`` (rasa-sdk actions), ``channels/`` (the guard on every message) and
``addons/`` (NLU components).

* ``content``: the one loader for content/*.yml (services, routes, wording the council edits).
* ``replies``: every reply for routes, services, topics, fallback and crisis, as plain
  functions from content and context to messages (``Message``, ``Button``).
* ``callback``: the callback request's checks (phone, email, times) and replies.
* ``deadlines``, ``deadline_replies``: the deadline calculator and what it says.
* ``summary``: the next steps a family can keep.
* ``fallback``: what to do when NLU is unsure, and for two problems in one message.
* ``feedback``: "Did this help?", its question, answers and slot events.
* ``office_hours``: when a phone line is open, in plain English.
* ``safety``: the crisis keyword patterns (used by the NLU safety net and the channel guard).
* ``languages``: which other language a message is in.
* ``plain_english``: the readability measure.
* ``catalogue``: every reply the assistant can give, gathered for the checks, the docs and the guard.
* ``content_check``: ``make content-check`` (``python -m advice.content_check``).
"""
