"""The keyword safety net: unit tests of the plain function.

tests/safety/crisis_dev*.yml were used to tune the patterns; crisis_holdout.yml
was not, and its figure is reported as measured. The end-to-end tests send both
through the running server.
"""
from pathlib import Path

import pytest
import yaml

from actions.safety import looks_like_crisis, normalise

SAFETY = Path(__file__).resolve().parents[1] / "safety"


def load(name):
    with open(SAFETY / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


DEV = load("crisis_dev.yml")
DEV_CRISES = [m for name in ("crisis_dev.yml", "crisis_dev_2.yml", "crisis_dev_3.yml") for m in load(name)["crisis"]]


@pytest.mark.parametrize("message", DEV_CRISES)
def test_dev_crisis_messages_are_caught(message):
    assert looks_like_crisis(message)


@pytest.mark.parametrize("message", DEV["not_crisis"])
def test_dev_ordinary_messages_are_not_flagged(message):
    assert not looks_like_crisis(message)


@pytest.mark.parametrize("message", [
    "the plan is missing section F completely",
    "he keeps missing school because of anxiety",
    "the report from the ed psych is missing",
    "they named a school we never asked for",
    "",
    "   ",
])
def test_everyday_send_phrases_do_not_trigger(message):
    assert not looks_like_crisis(message)


def test_normalise_handles_case_apostrophes_and_punctuation():
    assert normalise("He DOESN\u2019T want to be here!!!") == "he doesnt want to be here"


def test_holdout_recall_is_reported(capsys):
    holdout = load("crisis_holdout.yml")
    caught = sum(looks_like_crisis(m) for m in holdout["crisis"])
    flagged = sum(looks_like_crisis(m) for m in holdout["not_crisis"])
    with capsys.disabled():
        print(
            f"\nKeyword safety net alone on held-out messages: caught {caught}/{len(holdout['crisis'])} "
            f"crises, flagged {flagged}/{len(holdout['not_crisis'])} ordinary messages"
        )
    # The net is a backstop for the NLU model, not the only line: the end-to-end
    # test requires every held-out crisis to get the crisis reply from the two together.
    assert caught >= len(holdout["crisis"]) // 2
