"""The decisions taken when NLU is unsure, and for two problems in one message (advice/fallback.py).

Pure functions of an intent ranking: no Rasa, no model.
"""

from pathlib import Path

import pytest
import yaml

from advice.content import get_content
from advice.fallback import (
    CLARIFY,
    DID_YOU_MEAN,
    NO_GUESS,
    FirstStage,
    Thresholds,
    also_mentioned,
    first_stage,
    model_ranking,
    read_thresholds,
    thresholds,
)
from advice.replies import SOMETHING_ELSE_PAYLOAD, did_you_mean_reply

CONTENT = get_content()
TOPICS = frozenset(CONTENT.titled_intents())
DISAGREEMENTS = frozenset(CONTENT.disagreements)
LIMITS = Thresholds(threshold=0.45, ambiguity=0.1, guess=0.05, also=0.10)
ROOT = Path(__file__).resolve().parents[2]


def ranking(*pairs, fallback=True):
    """An intent ranking as the FallbackClassifier leaves it: nlu_fallback first, then the model's own."""
    head = [{"name": "nlu_fallback", "confidence": 0.45}] if fallback else []
    return head + [{"name": name, "confidence": conf} for name, conf in pairs]


# -- which first-stage reply ------------------------------------------------------


def test_low_confidence_offers_the_three_most_likely_topics_most_likely_first():
    stage = first_stage(
        ranking(
            ("refused_assessment", 0.30), ("refused_ehc_plan", 0.20), ("ask_tribunal", 0.12), ("disagree_duties", 0.08)
        ),
        TOPICS,
        LIMITS,
    )
    assert stage == FirstStage(DID_YOU_MEAN, ("refused_assessment", "refused_ehc_plan", "ask_tribunal"))


def test_intents_without_a_title_are_never_offered():
    # greet, deny, crisis and out_of_scope are not topics; they are skipped, not counted in the three.
    stage = first_stage(
        ranking(
            ("greet", 0.3),
            ("refused_reassessment", 0.2),
            ("deny", 0.15),
            ("out_of_scope", 0.1),
            ("ask_cost", 0.09),
            ("plan_ceasing", 0.08),
        ),
        TOPICS,
        LIMITS,
    )
    assert stage.kind == DID_YOU_MEAN
    assert stage.topics == ("refused_reassessment", "ask_cost", "plan_ceasing")


def test_topics_below_the_guess_floor_are_not_offered():
    stage = first_stage(ranking(("ask_mediation", 0.30), ("ask_tribunal", 0.049), ("ask_cost", 0.01)), TOPICS, LIMITS)
    assert stage == FirstStage(DID_YOU_MEAN, ("ask_mediation",))


def test_no_likely_topic_asks_them_to_say_it_another_way():
    stage = first_stage(ranking(("affirm", 0.07), ("thank", 0.07), ("ask_cost", 0.04), ("greet", 0.04)), TOPICS, LIMITS)
    assert stage == FirstStage(NO_GUESS, ())


def test_a_confident_top_intent_with_a_close_second_gets_the_clarifying_question():
    stage = first_stage(
        ranking(("disagree_placement", 0.50), ("disagree_plan_content", 0.45), ("disagree_duties", 0.03)),
        TOPICS,
        LIMITS,
    )
    assert stage == FirstStage(CLARIFY, ("disagree_placement", "disagree_plan_content"))


def test_clarify_offers_every_topic_within_the_ambiguity_threshold_and_no_more_than_three():
    stage = first_stage(
        ranking(
            ("refused_assessment", 0.46),
            ("refused_reassessment", 0.40),
            ("refused_ehc_plan", 0.37),
            ("refused_amendment", 0.365),
        ),
        TOPICS,
        LIMITS,
    )
    assert stage.kind == CLARIFY
    assert stage.topics == ("refused_assessment", "refused_reassessment", "refused_ehc_plan")


def test_close_but_unconfident_is_did_you_mean_not_clarify():
    # Under the threshold the classifier fell back for low confidence, not for ambiguity.
    stage = first_stage(
        ranking(("disagree_duties", 0.23), ("disagree_placement", 0.22), ("ask_cost", 0.09)), TOPICS, LIMITS
    )
    assert stage == FirstStage(DID_YOU_MEAN, ("disagree_duties", "disagree_placement", "ask_cost"))


def test_close_to_an_intent_that_is_not_a_topic_is_did_you_mean():
    stage = first_stage(ranking(("disagree_sen_provision", 0.50), ("affirm", 0.47)), TOPICS, LIMITS)
    assert stage == FirstStage(DID_YOU_MEAN, ("disagree_sen_provision",))


def test_hints_when_the_best_guess_was_out_of_scope_or_a_crisis():
    out = first_stage(ranking(("out_of_scope", 0.43), ("request_human", 0.09)), TOPICS, LIMITS)
    assert out.maybe_out_of_scope and not out.maybe_crisis and out.topics == ("request_human",)
    crisis = first_stage(ranking(("crisis", 0.22), ("disagree_duties", 0.19)), TOPICS, LIMITS)
    assert crisis.maybe_crisis and not crisis.maybe_out_of_scope and crisis.topics == ("disagree_duties",)
    plain = first_stage(ranking(("disagree_duties", 0.3), ("crisis", 0.2)), TOPICS, LIMITS)
    assert not plain.maybe_crisis and not plain.maybe_out_of_scope


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        [{"name": "nlu_fallback", "confidence": 0.45}],
        [{"name": None}, "x", {"confidence": "high"}, {"name": "ask_cost", "confidence": None}],
    ],
)
def test_an_empty_or_malformed_ranking_never_fails(bad):
    assert first_stage(bad, TOPICS, LIMITS).kind == NO_GUESS


def test_the_ranking_is_sorted_and_loses_nlu_fallback():
    assert model_ranking(
        [
            {"name": "a", "confidence": 0.1},
            {"name": "nlu_fallback", "confidence": 0.45},
            {"name": "b", "confidence": 0.3},
        ]
    ) == [("b", 0.3), ("a", 0.1)]


# -- two problems in one message ---------------------------------------------------


def test_a_second_disagreement_with_enough_confidence_is_offered():
    r = ranking(("refused_assessment", 0.61), ("disagree_sen_provision", 0.33), fallback=False)
    assert also_mentioned(r, "refused_assessment", DISAGREEMENTS, LIMITS) == "disagree_sen_provision"


def test_a_weak_second_disagreement_is_not_offered():
    r = ranking(("disagree_placement", 0.95), ("disagree_duties", 0.03), fallback=False)
    assert also_mentioned(r, "disagree_placement", DISAGREEMENTS, LIMITS) is None
    r = ranking(("disagree_placement", 0.80), ("disagree_duties", 0.0999), fallback=False)
    assert also_mentioned(r, "disagree_placement", DISAGREEMENTS, LIMITS) is None


def test_only_another_disagreement_is_offered_not_a_question_or_small_talk():
    for second in ("ask_deadline", "greet", "out_of_scope", "request_human"):
        r = ranking(("refused_assessment", 0.6), (second, 0.35), fallback=False)
        assert also_mentioned(r, "refused_assessment", DISAGREEMENTS, LIMITS) is None


def test_a_question_first_can_offer_the_disagreement_named_with_it():
    r = ranking(("ask_deadline", 0.7), ("refused_assessment", 0.25), fallback=False)
    assert also_mentioned(r, "ask_deadline", DISAGREEMENTS, LIMITS) == "refused_assessment"


def test_a_crisis_in_the_ranking_is_skipped():
    r = ranking(("disagree_duties", 0.56), ("crisis", 0.29), ("refused_ehc_plan", 0.12), fallback=False)
    assert also_mentioned(r, "disagree_duties", DISAGREEMENTS, LIMITS) == "refused_ehc_plan"


def test_nothing_is_offered_when_the_main_intent_is_not_ranked_first():
    r = ranking(("disagree_duties", 0.5), ("plan_ceasing", 0.4), fallback=False)
    assert also_mentioned(r, "plan_ceasing", DISAGREEMENTS, LIMITS) is None
    assert also_mentioned([], "plan_ceasing", DISAGREEMENTS, LIMITS) is None


# -- settings and content ----------------------------------------------------------


def test_thresholds_come_from_the_fallback_classifier_in_config_yml():
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    classifier = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    assert thresholds().threshold == classifier["threshold"]
    assert thresholds().ambiguity == classifier["ambiguity_threshold"]


def test_thresholds_fall_back_to_the_defaults_without_a_readable_config(tmp_path):
    assert read_thresholds(tmp_path / "missing.yml") == Thresholds()
    broken = tmp_path / "config.yml"
    broken.write_text("pipeline: [unclosed", encoding="utf-8")
    assert read_thresholds(broken) == Thresholds()
    other = tmp_path / "other.yml"
    other.write_text("pipeline:\n  - name: FallbackClassifier\n    threshold: 0.6\n", encoding="utf-8")
    assert read_thresholds(other) == Thresholds(threshold=0.6)


def test_every_disagreement_and_question_intent_has_a_title_for_did_you_mean():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = set(domain["intents"])
    # The question intents of docs/intents.md (request_summary once it is in the domain).
    questions = intents & (
        {i for i in intents if i.startswith("ask_")}
        | {"contact_case_officer", "request_human", "lost_letter", "request_summary"}
    )
    assert len(questions) >= 15
    disagreements = intents & set(CONTENT.disagreements)
    assert len(disagreements) == 13
    missing = sorted(i for i in questions | disagreements if i not in TOPICS)
    assert not missing, f"no title in content/routes.yml for {missing}"
    # Only intents the domain knows can be offered (a button must reach an intent Rasa has).
    assert intents >= TOPICS


def test_titles_are_unique_so_a_family_can_tell_the_buttons_apart():
    titles = [CONTENT.button_title(i) for i in TOPICS]
    assert len(titles) == len(set(titles))


# -- the replies ------------------------------------------------------------------


def payloads(messages):
    return [b.payload for m in messages for b in m.buttons]


def test_did_you_mean_reply_offers_the_topics_then_something_else():
    messages = did_you_mean_reply(CONTENT, FirstStage(DID_YOU_MEAN, ("refused_assessment", "ask_tribunal")))
    assert "Did you mean" in messages[0].text
    assert payloads(messages) == ["/refused_assessment", "/ask_tribunal", SOMETHING_ELSE_PAYLOAD]
    assert [b.title for b in messages[0].buttons] == ["The council won't assess", "How do I appeal?", "Something else"]
    assert "did not understand" not in messages[0].text


def test_clarify_reply_keeps_the_clarifying_question():
    messages = did_you_mean_reply(CONTENT, FirstStage(CLARIFY, ("disagree_placement", "disagree_plan_content")))
    assert "Which of these is closest to your situation?" in messages[0].text
    assert payloads(messages) == ["/disagree_placement", "/disagree_plan_content", SOMETHING_ELSE_PAYLOAD]


def test_no_guess_reply_asks_for_other_words_and_offers_the_main_topics():
    messages = did_you_mean_reply(CONTENT, FirstStage(NO_GUESS, ()))
    assert "other words" in messages[0].text
    assert len(payloads(messages)) >= 4 and SOMETHING_ELSE_PAYLOAD not in payloads(messages)


def test_hints_add_999_and_the_council():
    messages = did_you_mean_reply(
        CONTENT, FirstStage(DID_YOU_MEAN, ("ask_cost",), maybe_out_of_scope=True, maybe_crisis=True)
    )
    assert "999" in messages[0].text and "01922 650000" in messages[0].text
    plain = did_you_mean_reply(CONTENT, FirstStage(DID_YOU_MEAN, ("ask_cost",)))
    assert "999" not in plain[0].text and "01922 650000" not in plain[0].text
