"""The patched model loading (rasa_server/model_loading.py) gives the very same model as Rasa's.

Loads the trained model twice, in separate processes (Rasa's own RasaModel.load,
then the patched one), and compares every prediction of the held-out NLU set
and of a few dialogues: intents, confidences, rankings, entities, the next
actions, and each policy's own probabilities, to the last digit. Slow (Rasa's own
loading takes a minute or more): it is the proof that the faster start changes
nothing a family sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from scripts.stack import ROOT
from tests.e2e.conftest import MODEL

pytestmark = pytest.mark.e2e


def predictions(mode: str, out) -> dict:
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    out = out / f"{mode}.json"
    done = subprocess.run(
        [sys.executable, "tests/e2e/model_predictions.py", mode, str(MODEL), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_patched_loading_predicts_exactly_as_rasa_own(tmp_path):
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` first")
    rasa_own, patched = predictions("rasa", tmp_path), predictions("patched", tmp_path)
    print(f"load: Rasa's own {rasa_own['load_seconds']:.0f} s, patched {patched['load_seconds']:.0f} s")
    assert len(rasa_own["nlu"]) > 200 and len(rasa_own["dialogue"]) > 10
    # Both TensorFlow models really loaded, both ways (Rasa's TEDPolicy.load turns a
    # ValueError into a policy without a model, which predicts nothing).
    assert rasa_own["loaded"] == {"DIETClassifier": True, "TEDPolicy": True}, rasa_own["loaded"]
    assert patched["loaded"] == rasa_own["loaded"], patched["loaded"]
    assert any(max(step["each_policy"]["TEDPolicy"]) > 0 for step in rasa_own["dialogue"])
    for mine, theirs in zip(patched["nlu"], rasa_own["nlu"]):
        assert mine == theirs, mine["text"]
    for mine, theirs in zip(patched["dialogue"], rasa_own["dialogue"]):
        assert mine == theirs, mine["text"]
    assert patched["nlu"] == rasa_own["nlu"] and patched["dialogue"] == rasa_own["dialogue"]
