"""Every reply the assistant can give, in every context, gathered in one list.

The content checks (advice/content_check.py), the channel guard's list of
buttons it accepts (channels/guard.py), docs/replies.md (``make replies``) and
the tests all read this list. It sits above the modules whose replies it
gathers (replies, callback, deadline_replies, summary, feedback), which build
on advice/replies.py, so none of them imports another in a circle.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from advice.callback import all_callback_replies
from advice.content import Content
from advice.deadline_replies import examples as deadline_examples
from advice.fallback import CLARIFY, DID_YOU_MEAN, NO_GUESS, FirstStage
from advice.feedback import all_feedback_replies
from advice.replies import (
    ROMANISED,
    SIMPLE_TOPICS,
    Message,
    also_mentioned_reply,
    contact_reply,
    crisis_reply,
    deadline_reply,
    did_you_mean_reply,
    disagreement_resolution_reply,
    fallback_reply,
    intro_reply,
    mediation_reply,
    mediation_vs_dr_reply,
    other_language_reply,
    out_of_scope_reply,
    rephrase_reply,
    resume_reply,
    routes_reply,
    service_reply,
    simple_topic_reply,
    tribunal_reply,
)
from advice.summary import examples as summary_examples


def all_replies(content: Content) -> List[Tuple[str, List[Message]]]:
    """Every reply the assistant can give, in every context, for checks and tests.

    Rendering them all also proves every placeholder resolves (else ContentError).
    """
    contexts: List[Optional[str]] = [None, *content.disagreements]
    out: List[Tuple[str, List[Message]]] = []
    for disagreement in content.disagreements:
        out.append((f"routes:{disagreement}", routes_reply(content, disagreement)))
    for d in contexts:
        out += [
            (f"disagreement_resolution:{d}", disagreement_resolution_reply(content, d)),
            (f"mediation:{d}", mediation_reply(content, d)),
            (f"tribunal:{d}", tribunal_reply(content, d)),
            (f"deadline:{d}", deadline_reply(content, d)),
            (f"contact:{d}", contact_reply(content, d, None)),
        ]
    for service in content.services.values():
        if service.group != "crisis":
            out.append((f"service:{service.id}", service_reply(content, service.id)))
    out += [
        ("mediation_vs_dr", mediation_vs_dr_reply(content)),
        *[(t, simple_topic_reply(content, t)) for t in SIMPLE_TOPICS],
        ("crisis", crisis_reply(content)),
        # Any disagreement can be offered back after the crisis reply (and its button is accepted).
        *((f"crisis_resume:{d}", resume_reply(content, d)) for d in content.disagreements),
        # "Did you mean" offers two or three of these (so every topic's button is accepted).
        ("did_you_mean", did_you_mean_reply(content, FirstStage(DID_YOU_MEAN, content.titled_intents()))),
        (
            "did_you_mean_hints",
            did_you_mean_reply(content, FirstStage(DID_YOU_MEAN, content.titled_intents()[:2], True, True)),
        ),
        ("clarify", did_you_mean_reply(content, FirstStage(CLARIFY, content.titled_intents()[:2]))),
        ("no_guess", did_you_mean_reply(content, FirstStage(NO_GUESS, (), True, True))),
        ("rephrase", rephrase_reply(content)),
        ("fallback", fallback_reply(content)),
        ("also_mentioned", also_mentioned_reply(content, next(iter(content.disagreements)))),
        ("out_of_scope", out_of_scope_reply(content)),
        ("out_of_scope_maybe", out_of_scope_reply(content, list(content.disagreements)[:2])),
        ("intro", intro_reply(content, 30)),
        (f"other_language:{ROMANISED}", other_language_reply(content, ROMANISED)),
        (
            f"other_language:{ROMANISED}:maybe",
            other_language_reply(content, ROMANISED, list(content.disagreements)[:2]),
        ),
    ]
    # Sent by the channels (channels/guard.py).
    out += [
        (t, [Message(content.render(content.topics[t], limit="2,000"))])
        for t in ("too_long", "slow_down", "unavailable")
    ]
    return (
        out
        + all_callback_replies(content)
        + deadline_examples(content)
        + summary_examples(content)
        + all_feedback_replies(content)
    )


__all__ = ["all_replies"]
