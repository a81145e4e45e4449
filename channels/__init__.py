"""The ways families reach the assistant (Rasa input channels).

Every channel passes each message through :mod:`channels.guard` before Rasa
sees it, so the checks on hostile and malformed input live in one place.
"""
