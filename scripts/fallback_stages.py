"""How often each fallback stage happens on the held-out sets, and the two-problem button.

Runs the trained model's NLU pipeline (the FallbackClassifier and the crisis
safety net included) on every message of the held-out sets, then the same
decision logic the actions use (advice/fallback.py), and counts what the
family would get as the first reply:

* answered: the model was sure; right (the held-out label) or wrong;
* crisis: the crisis reply (for a message that is not labelled a crisis);
* clarify / did you mean / no guess: the first stage of the two-stage
  fallback, and whether its buttons hold the right topic;
* final: the topic list and the phone numbers come only after a second
  message not understood, so a first message never gets them: counted here
  to show it. ``needs_another_try`` counts the in-scope messages whose first
  stage did not offer their topic: they would press "Something else" and say
  it again, and only those could end at the topic list (an upper bound).

And on tests/nlu/two_problems.yml (each entry has ``text``, ``main`` and
``other``): how often the main problem is answered, and how often the other
one is offered as a button ("you may also have mentioned").

Prints and writes only counts and per-intent figures, never a message: the
held-out sets stay held out, and nothing here was used to choose a
threshold (that was done on tests/nlu/dev_fallback.yml).

Usage: python scripts/fallback_stages.py [--model models/send-assistant.tar.gz] [--out results]
                                        [--min-right-topic 0.9]
Writes results/fallback_stages.json and results/fallback_stages.md. With
--min-right-topic it fails (exit 1) when the "Did you mean" buttons hold the
right topic for fewer of the messages that reach them; without it, it only
reports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections import Counter, defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advice.content import Content, load_content  # noqa: E402
from advice.fallback import (  # noqa: E402
    CLARIFY,
    DID_YOU_MEAN,
    NO_GUESS,
    Thresholds,
    also_mentioned,
    first_stage,
    read_thresholds,
)

MODEL = ROOT / "models" / "send-assistant.tar.gz"
HELD_OUT = ("tests/nlu/holdout.yml", "tests/nlu/fresh_holdout.yml")
TWO_PROBLEMS = "tests/nlu/two_problems.yml"
NLU_FALLBACK, OUT_OF_SCOPE, CRISIS = "nlu_fallback", "out_of_scope", "crisis"
# What a first message can get, in the order of the tables.
OUTCOMES = ("answered_right", "answered_wrong", "crisis", CLARIFY, DID_YOU_MEAN, NO_GUESS, "final")
FIRST_STAGE = (CLARIFY, DID_YOU_MEAN, NO_GUESS)


# -- the decision for one parsed message (pure, so it is tested without a model) ----------


def outcome(expected: str, parsed: Mapping[str, Any], content: Content, limits: Thresholds) -> Dict[str, Any]:
    """What the family gets first for one message, and whether the right topic is among its buttons."""
    predicted = (parsed.get("intent") or {}).get("name")
    ranking = parsed.get("intent_ranking") or []
    if predicted == CRISIS and expected != CRISIS:
        return {"outcome": "crisis", "offered": False}
    if predicted != NLU_FALLBACK:
        return {"outcome": "answered_right" if predicted == expected else "answered_wrong", "offered": False}
    stage = first_stage(ranking, frozenset(content.titled_intents()), limits)
    shown = stage.topics if stage.kind != NO_GUESS else tuple(content.topics["no_guess"]["buttons"])
    return {"outcome": stage.kind, "offered": expected in shown}


def two_problem_outcome(
    main: str, other: Optional[str], parsed: Mapping[str, Any], content: Content, limits: Thresholds
) -> Dict[str, bool]:
    """For one two-problem message: was the main one answered, and the other offered as a button?"""
    predicted = (parsed.get("intent") or {}).get("name")
    ranking = parsed.get("intent_ranking") or []
    result = {
        "main_answered": predicted == main,
        "other_offered": False,
        "main_in_first_stage": False,
        "other_in_first_stage": False,
        "fallback": predicted == NLU_FALLBACK,
        "crisis": predicted == CRISIS,
    }
    if predicted == NLU_FALLBACK:
        stage = first_stage(ranking, frozenset(content.titled_intents()), limits)
        result["main_in_first_stage"] = main in stage.topics
        result["other_in_first_stage"] = bool(other) and other in stage.topics
    elif predicted not in (None, CRISIS):
        offered = also_mentioned(ranking, predicted, content.disagreements, limits)
        result["other_offered"] = bool(other) and offered == other
        # The model took the other problem for the main one, and offered the main one as the button.
        result["other_answered_main_offered"] = predicted == other and offered == main
        result["offered_a_third"] = offered is not None and offered not in (main, other)
    return result


# -- reading the sets and running the model ----------------------------------------------


def nlu_messages(path: Path) -> List[Tuple[str, str]]:
    """(label, text) pairs, read with Rasa's own reader (entity markup removed)."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [(m.get("intent"), m.get("text")) for m in data.intent_examples]


def two_problem_messages(path: Path) -> List[Tuple[str, Optional[str], str]]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [(m["main"], m.get("other"), m["text"]) for m in data.get("messages") or []]


def load_agent(model: Path):
    """The trained model, loaded as the Rasa server loads it (rasa_server/model_loading.py)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Rasa logs each parsed message's text at debug level: never here.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.disable(logging.INFO)
    from rasa_server import model_loading

    model_loading.apply()
    from rasa.core.agent import Agent

    return Agent.load(str(model))


async def parse_all(agent, texts: Sequence[str]) -> List[Dict[str, Any]]:
    return [await agent.parse_message(text) for text in texts]


# -- figures -------------------------------------------------------------------------------


def summarise(rows: Iterable[Tuple[str, Dict[str, Any]]], content: Content) -> Dict[str, Any]:
    """Counts per outcome, per intent, and the "right topic in Did you mean" figure."""
    topics = set(content.titled_intents())
    totals: Counter = Counter()
    per_intent: Dict[str, Counter] = defaultdict(Counter)
    reach: Counter = Counter()
    for expected, result in rows:
        kind = result["outcome"]
        scope = "out_of_scope" if expected == OUT_OF_SCOPE else "in_scope"
        totals[kind] += 1
        totals[f"{scope}:{kind}"] += 1
        totals["messages"] += 1
        totals[f"{scope}:messages"] += 1
        per_intent[expected][kind] += 1
        per_intent[expected]["messages"] += 1
        if kind in FIRST_STAGE:
            per_intent[expected]["right_topic_offered"] += int(result["offered"])
            if scope == "in_scope" and not result["offered"]:
                # They press "Something else" and say it again; only if that is not
                # understood either do they get the topic list and the phone numbers.
                reach["needs_another_try"] += 1
            if expected in topics:
                reach["first_stage"] += 1
                reach["first_stage_right"] += int(result["offered"])
                if kind in (CLARIFY, DID_YOU_MEAN):
                    reach["did_you_mean"] += 1
                    reach["did_you_mean_right"] += int(result["offered"])
    return {
        "totals": {k: totals.get(k, 0) for k in sorted(totals)},
        "outcomes": {k: totals.get(k, 0) for k in OUTCOMES},
        "in_scope": {
            **{k: totals.get(f"in_scope:{k}", 0) for k in ("messages", *OUTCOMES)},
            "needs_another_try": reach["needs_another_try"],
        },
        "out_of_scope": {k: totals.get(f"out_of_scope:{k}", 0) for k in ("messages", *OUTCOMES)},
        "right_topic": {
            # Buttons of "Did you mean" or "which of these" (clarify): the criterion of issue 11.
            "reached_did_you_mean": reach["did_you_mean"],
            "right_topic_offered": reach["did_you_mean_right"],
            # Stricter: also counting the "no guess" reply (its buttons are the main topics).
            "reached_any_first_stage": reach["first_stage"],
            "right_topic_in_any_first_stage": reach["first_stage_right"],
        },
        "per_intent": {
            i: {k: c.get(k, 0) for k in ("messages", *OUTCOMES, "right_topic_offered")}
            for i, c in sorted(per_intent.items())
        },
    }


def summarise_two(
    results: Sequence[Dict[str, bool]], others: Sequence[Optional[str]], content: Content
) -> Dict[str, int]:
    disagreement_others = [bool(o) and o in content.disagreements for o in others]
    return {
        "messages": len(results),
        "other_is_a_disagreement": sum(disagreement_others),
        "main_answered": sum(r["main_answered"] for r in results),
        "main_answered_and_other_offered": sum(r["main_answered"] and r["other_offered"] for r in results),
        "other_offered": sum(r["other_offered"] for r in results),
        "other_answered_and_main_offered": sum(bool(r.get("other_answered_main_offered")) for r in results),
        "both_problems_answered_or_offered": sum(
            (r["main_answered"] and r["other_offered"]) or bool(r.get("other_answered_main_offered")) for r in results
        ),
        "a_third_disagreement_offered": sum(bool(r.get("offered_a_third")) for r in results),
        "fallback_first_stage": sum(r["fallback"] for r in results),
        "fallback_main_among_buttons": sum(r["main_in_first_stage"] for r in results),
        "fallback_other_among_buttons": sum(r["other_in_first_stage"] for r in results),
        "crisis_reply": sum(r["crisis"] for r in results),
        "answered_something_else": sum(
            not r["main_answered"] and not r["fallback"] and not r["crisis"] for r in results
        ),
    }


def ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.2f})" if whole else f"{part}/0"


def markdown(report: Dict[str, Any]) -> str:
    lines = [
        "# Fallback stages on the held-out sets",
        "",
        "Written by `scripts/fallback_stages.py`: the trained model's NLU, then the decision logic of",
        "`advice/fallback.py`. First message of a conversation; counts only.",
        "",
        f"Thresholds: {report['thresholds']}",
        "",
    ]
    head = (
        "| set | messages | answered right | answered wrong | crisis reply | clarify | did you mean | no guess "
        "| final | needs another try |"
    )
    lines += ["## What a first message gets", "", head, "|" + "---|" * 10]
    for name, figures in report["sets"].items():
        for scope in ("in_scope", "out_of_scope"):
            f = figures[scope]
            lines.append(
                f"| {name} ({scope.replace('_', ' ')}) | {f['messages']} | {f['answered_right']} | "
                f"{f['answered_wrong']} | {f['crisis']} | {f['clarify']} | {f['did_you_mean']} | "
                f"{f['no_guess']} | {f['final']} | {f.get('needs_another_try', '-')} |"
            )
    lines += [
        "",
        "## The right topic among the buttons",
        "",
        "| set | Did you mean / which of these: right topic offered | any first-stage reply |",
        "|---|---|---|",
    ]
    for name, figures in report["sets"].items():
        r = figures["right_topic"]
        lines.append(
            f"| {name} | {ratio(r['right_topic_offered'], r['reached_did_you_mean'])} | "
            f"{ratio(r['right_topic_in_any_first_stage'], r['reached_any_first_stage'])} |"
        )
    for name, figures in report["sets"].items():
        lines += [
            "",
            f"## Per intent: {name}",
            "",
            "| intent | messages | right | wrong | crisis | clarify | did you mean | no guess | right topic offered |",
            "|" + "---|" * 9,
        ]
        for intent, f in figures["per_intent"].items():
            lines.append(
                f"| {intent} | {f['messages']} | {f['answered_right']} | {f['answered_wrong']} | "
                f"{f['crisis']} | {f['clarify']} | {f['did_you_mean']} | {f['no_guess']} | "
                f"{f['right_topic_offered']} |"
            )
    if report.get("two_problems"):
        t = report["two_problems"]
        lines += ["", "## Two problems in one message", "", "| figure | count |", "|---|---|"]
        lines += [f"| {k.replace('_', ' ')} | {v} |" for k, v in t.items()]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    parser.add_argument(
        "--min-right-topic",
        type=float,
        default=None,
        help="fail if the Did you mean buttons hold the right topic for fewer (e.g. 0.9)",
    )
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"{args.model} is missing: run `make train` first")
        return 2
    content = load_content()
    limits = read_thresholds()
    agent = load_agent(args.model)
    report: Dict[str, Any] = {"model": str(args.model), "thresholds": asdict(limits), "sets": {}}
    for name in HELD_OUT:
        pairs = nlu_messages(ROOT / name)
        parsed = asyncio.run(parse_all(agent, [text for _, text in pairs]))
        rows = [(label, outcome(label, p, content, limits)) for (label, _), p in zip(pairs, parsed)]
        report["sets"][name] = summarise(rows, content)
    two = two_problem_messages(ROOT / TWO_PROBLEMS)
    parsed = asyncio.run(parse_all(agent, [text for _, _, text in two]))
    results = [two_problem_outcome(main, other, p, content, limits) for (main, other, _), p in zip(two, parsed)]
    report["two_problems"] = summarise_two(results, [other for _, other, _ in two], content)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fallback_stages.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "fallback_stages.md").write_text(markdown(report), encoding="utf-8")
    failed = False
    for name, figures in report["sets"].items():
        i, r = figures["in_scope"], figures["right_topic"]
        print(
            f"{name}: {i['messages']} in scope: answered right {i['answered_right']}, wrong {i['answered_wrong']}, "
            f"crisis reply {i['crisis']}, clarify {i['clarify']}, did you mean {i['did_you_mean']}, "
            f"no guess {i['no_guess']}, final {i['final']} (needs another try {i['needs_another_try']}); "
            f"out of scope {figures['out_of_scope']}"
        )
        print(
            f"  right topic among the Did you mean buttons: {ratio(r['right_topic_offered'], r['reached_did_you_mean'])}; "
            f"any first-stage reply: {ratio(r['right_topic_in_any_first_stage'], r['reached_any_first_stage'])}"
        )
        if (
            args.min_right_topic is not None
            and r["reached_did_you_mean"]
            and r["right_topic_offered"] / r["reached_did_you_mean"] < args.min_right_topic
        ):
            failed = True
    print(f"{TWO_PROBLEMS}: {report['two_problems']}")
    print(f"Wrote {args.out / 'fallback_stages.json'} and {args.out / 'fallback_stages.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
