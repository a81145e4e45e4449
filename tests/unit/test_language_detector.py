"""The NLU component that turns a message in another language into ``other_language``,
and the crisis net after it (their order in config.yml), on real Rasa messages."""

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from addons.crisis_safety_net import CrisisSafetyNet
from addons.language_detector import OtherLanguageDetector

ROOT = Path(__file__).resolve().parents[2]
DETECTOR = OtherLanguageDetector.create({"fallback_threshold": 0.45}, None, None, None)
CRISIS_NET = CrisisSafetyNet.create({}, None, None, None)


def parsed(text, intent="nlu_fallback", confidence=0.3, ranking=None):
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": confidence})
    message.set("intent_ranking", ranking or [{"name": intent, "confidence": confidence}])
    message.set("entities", [])
    return message


def pipeline(message):
    """The end of the NLU pipeline, in config.yml's order."""
    return CRISIS_NET.process(DETECTOR.process([message]))[0]


def language_entities(message):
    return [e["value"] for e in message.get("entities") if e["entity"] == "language"]


def test_the_pipeline_runs_the_detector_before_the_crisis_net():
    names = [c["name"] for c in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]]
    assert names.index("addons.language_detector.OtherLanguageDetector") < names.index(
        "addons.crisis_safety_net.CrisisSafetyNet"
    )


@pytest.mark.parametrize(
    "text,code",
    [
        ("Mój syn nie chodzi do szkoły od trzech miesięcy", "pl"),
        ("میرا بیٹا تین مہینے سے اسکول نہیں جا رہا", "ur"),
        ("mera beta school nahi ja raha, kya karun", "pa_ur_latn"),
    ],
)
def test_a_message_in_another_language_gets_the_intent_and_its_code(text, code):
    message = pipeline(
        parsed(
            text,
            "refused_assessment",
            0.6,
            [{"name": "refused_assessment", "confidence": 0.6}, {"name": "greet", "confidence": 0.2}],
        )
    )
    assert message.get("intent") == {"name": "other_language", "confidence": 1.0}
    assert language_entities(message) == [code]
    # The model's ranking is kept below, for the buttons of the romanised reply.
    assert [r["name"] for r in message.get("intent_ranking")] == ["other_language", "refused_assessment", "greet"]


@pytest.mark.parametrize(
    "text",
    [
        "ਮੇਰਾ ਪੁੱਤ ਕਹਿੰਦਾ ਹੈ ਕਿ ਉਹ ਮਰਨਾ ਚਾਹੁੰਦਾ ਹੈ",
        "Syn grozi, że się zabije",
        "طفلي لا يتنفس",
    ],
)
def test_a_crisis_in_another_language_is_a_crisis(text):
    message = pipeline(parsed(text))
    assert message.get("intent")["name"] == "crisis"


def test_an_english_message_is_left_alone():
    message = pipeline(
        parsed("Wojciech has autism and Pool Hayes say they cant meet his needs", "disagree_placement", 0.8)
    )
    assert message.get("intent") == {"name": "disagree_placement", "confidence": 0.8}
    assert language_entities(message) == []


def test_the_models_own_other_language_is_dropped_for_english():
    # Only the detector may say "another language": the model's guess gives way to its next one...
    message = pipeline(
        parsed(
            "Pelsall nursery wont take her",
            "other_language",
            0.5,
            [{"name": "other_language", "confidence": 0.5}, {"name": "disagree_placement", "confidence": 0.46}],
        )
    )
    assert message.get("intent")["name"] == "disagree_placement"
    assert "other_language" not in [r["name"] for r in message.get("intent_ranking")]
    # ... or to "not understood" when that one is weak.
    message = pipeline(
        parsed(
            "Pelsall",
            "other_language",
            0.7,
            [{"name": "other_language", "confidence": 0.7}, {"name": "greet", "confidence": 0.1}],
        )
    )
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.45}
