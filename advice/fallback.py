"""What to do when NLU is unsure, and when one message names two problems.

Pure functions of the model's intent ranking, so they are tested without Rasa
and measured offline on the held-out sets (scripts/fallback_stages.py) with
exactly the logic the assistant uses.

When the FallbackClassifier turns a message into ``nlu_fallback`` (config.yml:
the top intent under ``threshold``, or the top two closer than
``ambiguity_threshold``), the assistant never guesses a route and never
leaves the family at a dead end. It follows Rasa's two-stage fallback, as
RasaHQ/rasa-demo does:

1. ``action_did_you_mean`` (:func:`first_stage`):

   * **clarify**: the top intent was confident enough, but the next one was
     too close (the classifier's ``ambiguity_threshold``), and both are
     topics we can answer: "Which of these is closest to your situation?",
     with the topics that close;
   * **did you mean**: otherwise the two or three most likely topics we can
     answer, each at least ``guess`` confident, as buttons;
   * **no guess**: no topic is likely enough to offer: ask them to say it
     another way, with the main topics as buttons.

   Every variant also offers "Something else".
2. "Something else" (or "no") asks them to say it another way
   (``action_ask_rephrase``).
3. A second message not understood after either of those gets the whole
   topic list and the phone numbers (``action_fallback_help``).

Which step comes next is decided by the rules (data/rules/conversation.yml),
so the action that ran says what the family saw (the insights report counts
them). A crisis pre-empts every step: its rule matches whatever came before.

A topic is any intent the content gives a title (a disagreement's ``label``
or a question's entry in ``buttons`` in content/routes.yml): only those can
be offered as buttons.

Two problems in one message (:func:`also_mentioned`): the model ranks the
main problem first; when the second-ranked intent is another disagreement
type with at least ``also`` confidence, it is offered as a button after the
answer. The model is trained to rank the main problem first, so a second
problem usually gets far less confidence than it deserves; a lower bar
offers unrelated disagreements to families who named only one, so the reply
is worded as a possibility ("you may also have mentioned").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Iterable, List, Mapping, Optional, Tuple

import yaml

CONFIG = Path(__file__).resolve().parent.parent / "config.yml"
NLU_FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
CRISIS = "crisis"

# The three first-stage replies (what action_did_you_mean shows).
CLARIFY = "clarify"
DID_YOU_MEAN = "did_you_mean"
NO_GUESS = "no_guess"

# "The two or three most likely topics."
MAX_TOPICS = 3


@dataclass(frozen=True)
class Thresholds:
    """The FallbackClassifier's settings, and ours.

    ``threshold`` and ``ambiguity`` are read from config.yml, so the action
    server decides "clarify" exactly where the classifier saw two close
    intents. ``guess`` and ``also`` were chosen by reasoning and on examples
    written for this (tests/nlu/dev_fallback.yml), never on a held-out set:

    * ``guess`` 0.05: the model spreads its confidence over about 40 intents
      (0.025 each if it knew nothing); a topic with twice that is a real
      candidate, one with less is noise: a button the family would not
      recognise, and one more to read before "Something else";
    * ``also`` 0.10: on the one-problem development examples the model
      answered right, the second-ranked intent stayed under 0.06; it reached
      0.17 and 0.19 only where the model answered wrong (and one of those
      buttons was the right topic). On the two-problem examples, the second
      problems the model weighs at all got 0.10 to 0.24 (4 of 14 offered, a
      fifth the other way round); the rest it barely weighs, and no bar finds
      those without offering wrong ones (see the module docstring).
    """

    threshold: float = 0.45
    ambiguity: float = 0.1
    guess: float = 0.05
    also: float = 0.10


@dataclass(frozen=True)
class FirstStage:
    """What ``action_did_you_mean`` shows: which reply, with which topics, and any hints."""

    kind: str
    topics: Tuple[str, ...] = ()
    # The model's best guess was "out of scope": also say who helps with other things.
    maybe_out_of_scope: bool = False
    # The model's best guess was a crisis (and the keyword net did not fire): give 999 too.
    maybe_crisis: bool = False


def _confidence(entry: Mapping[str, Any]) -> float:
    try:
        return float(entry.get("confidence") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def model_ranking(ranking: Iterable[Mapping[str, Any]]) -> List[Tuple[str, float]]:
    """The model's own ranking: (intent, confidence), most likely first, without ``nlu_fallback``.

    The FallbackClassifier puts ``nlu_fallback`` first and keeps the model's
    ranking after it.
    """
    pairs = [
        (e["name"], _confidence(e))
        for e in ranking or ()
        if isinstance(e, Mapping) and isinstance(e.get("name"), str) and e["name"] != NLU_FALLBACK
    ]
    return sorted(pairs, key=lambda pair: -pair[1])


def first_stage(
    ranking: Iterable[Mapping[str, Any]], topics: Collection[str], limits: Thresholds = Thresholds()
) -> FirstStage:
    """The first reply to a message NLU was unsure about."""
    ranked = model_ranking(ranking)
    top = ranked[0][0] if ranked else None
    hints = {"maybe_out_of_scope": top == OUT_OF_SCOPE, "maybe_crisis": top == CRISIS}
    # The classifier's second reason: a confident top intent, but the next one is close.
    if len(ranked) >= 2 and ranked[0][0] in topics and ranked[1][0] in topics:
        best = ranked[0][1]
        if best >= limits.threshold and best - ranked[1][1] < limits.ambiguity:
            close = [name for name, conf in ranked if name in topics and best - conf < limits.ambiguity]
            return FirstStage(CLARIFY, tuple(close[:MAX_TOPICS]), **hints)
    guesses = [name for name, conf in ranked if name in topics and conf >= limits.guess]
    if guesses:
        return FirstStage(DID_YOU_MEAN, tuple(guesses[:MAX_TOPICS]), **hints)
    return FirstStage(NO_GUESS, (), **hints)


def also_mentioned(
    ranking: Iterable[Mapping[str, Any]],
    main: Optional[str],
    disagreements: Collection[str],
    limits: Thresholds = Thresholds(),
) -> Optional[str]:
    """Another disagreement type the same message seems to name, to offer as a button, or None.

    Only the intent ranked right after the main one counts (a crisis is
    skipped: the crisis reply has its own way back to a disagreement).
    """
    ranked = [(name, conf) for name, conf in model_ranking(ranking) if name != CRISIS]
    if len(ranked) < 2 or ranked[0][0] != main:
        return None
    name, confidence = ranked[1]
    if name in disagreements and name != main and confidence >= limits.also:
        return name
    return None


def read_thresholds(path: Path = CONFIG) -> Thresholds:
    """The FallbackClassifier's ``threshold`` and ``ambiguity_threshold`` from config.yml.

    Falls back to the defaults above if the file or the component is missing,
    so a broken config never stops the fallback from answering.
    """
    defaults = Thresholds()
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return defaults
    for component in config.get("pipeline") or []:
        if isinstance(component, Mapping) and component.get("name") == "FallbackClassifier":
            return Thresholds(
                threshold=float(component.get("threshold", defaults.threshold)),
                ambiguity=float(component.get("ambiguity_threshold", defaults.ambiguity)),
                guess=defaults.guess,
                also=defaults.also,
            )
    return defaults


@functools.lru_cache(maxsize=1)
def thresholds() -> Thresholds:
    """The thresholds, read once per process."""
    return read_thresholds()
