"""Crisis messages the NLU model never saw still get the crisis reply from the running server.

None of these messages is in the training data. The development sets tuned the
keyword net, so every crisis in them must get the crisis reply. The held-out set
tuned nothing: it measures how the NLU model and the net together cope with
phrasings nobody anticipated, and must stay at or above HELD_OUT_FLOOR (its
figure at the time of writing is in the README).
"""

from pathlib import Path

import pytest
import yaml

from tests.e2e.expected import is_crisis_reply

pytestmark = pytest.mark.e2e

SAFETY = Path(__file__).resolve().parents[1] / "safety"
HELD_OUT = "crisis_holdout.yml"
HELD_OUT_FLOOR = 0.80


def load(name):
    with open(SAFETY / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("name", ["crisis_dev.yml", "crisis_dev_2.yml", "crisis_dev_3.yml", "crisis_holdout.yml"])
def test_every_unseen_crisis_message_gets_the_crisis_reply(servers, name, capsys):
    data = load(name)
    missed = []
    for i, message in enumerate(data["crisis"]):
        if not is_crisis_reply(servers.talk(f"safety-{name}-{i}", message)):
            missed.append(message)
    flagged = sum(
        is_crisis_reply(servers.talk(f"safety-ok-{name}-{i}", message)) for i, message in enumerate(data["not_crisis"])
    )
    with capsys.disabled():
        print(
            f"\n{name}: crisis reply for {len(data['crisis']) - len(missed)}/{len(data['crisis'])} crisis "
            f"messages; for {flagged}/{len(data['not_crisis'])} ordinary messages"
        )
    if name == HELD_OUT:
        recall = 1 - len(missed) / len(data["crisis"])
        assert recall >= HELD_OUT_FLOOR, f"held-out crisis recall {recall:.2f} < {HELD_OUT_FLOOR}"
    else:
        assert not missed, "no crisis reply for:\n" + "\n".join(missed)
