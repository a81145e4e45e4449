"""The counting in scripts/fallback_stages.py, on made-up parses (no model)."""

from advice.content import get_content
from advice.fallback import Thresholds
from scripts.fallback_stages import markdown, outcome, summarise, summarise_two, two_problem_outcome

CONTENT = get_content()
LIMITS = Thresholds()


def parsed(intent, *ranking):
    return {"intent": {"name": intent}, "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}


def test_outcomes_of_a_first_message():
    assert outcome(
        "refused_assessment", parsed("refused_assessment", ("refused_assessment", 0.9)), CONTENT, LIMITS
    ) == {"outcome": "answered_right", "offered": False}
    assert (
        outcome("refused_assessment", parsed("plan_ceasing", ("plan_ceasing", 0.9)), CONTENT, LIMITS)["outcome"]
        == "answered_wrong"
    )
    assert outcome("lost_letter", parsed("crisis", ("crisis", 1.0)), CONTENT, LIMITS)["outcome"] == "crisis"
    unsure = parsed("nlu_fallback", ("nlu_fallback", 0.45), ("ask_mediation", 0.3), ("ask_tribunal", 0.2))
    assert outcome("ask_tribunal", unsure, CONTENT, LIMITS) == {"outcome": "did_you_mean", "offered": True}
    assert outcome("ask_cost", unsure, CONTENT, LIMITS) == {"outcome": "did_you_mean", "offered": False}
    nothing = parsed("nlu_fallback", ("nlu_fallback", 0.45), ("greet", 0.3))
    assert outcome("refused_assessment", nothing, CONTENT, LIMITS) == {"outcome": "no_guess", "offered": True}


def test_summary_counts_the_right_topic_only_where_a_topic_was_meant():
    rows = [
        ("ask_tribunal", {"outcome": "did_you_mean", "offered": True}),
        ("ask_cost", {"outcome": "did_you_mean", "offered": False}),
        ("greet", {"outcome": "did_you_mean", "offered": False}),  # no title: not counted as reached
        ("refused_assessment", {"outcome": "no_guess", "offered": True}),
        ("out_of_scope", {"outcome": "answered_right", "offered": False}),
    ]
    summary = summarise(rows, CONTENT)
    assert summary["right_topic"] == {
        "reached_did_you_mean": 2,
        "right_topic_offered": 1,
        "reached_any_first_stage": 3,
        "right_topic_in_any_first_stage": 2,
    }
    assert summary["in_scope"]["messages"] == 4 and summary["in_scope"]["did_you_mean"] == 3
    assert summary["in_scope"]["needs_another_try"] == 2  # ask_cost and greet: their topic was not offered
    assert summary["out_of_scope"] == {
        "messages": 1,
        "answered_right": 1,
        "answered_wrong": 0,
        "crisis": 0,
        "clarify": 0,
        "did_you_mean": 0,
        "no_guess": 0,
        "final": 0,
    }
    assert summary["per_intent"]["ask_tribunal"]["right_topic_offered"] == 1
    assert "ask_tribunal" in markdown({"thresholds": {}, "sets": {"x": summary}})


def test_two_problems():
    both = two_problem_outcome(
        "refused_assessment",
        "disagree_sen_provision",
        parsed("refused_assessment", ("refused_assessment", 0.6), ("disagree_sen_provision", 0.3)),
        CONTENT,
        LIMITS,
    )
    swapped = two_problem_outcome(
        "refused_assessment",
        "disagree_sen_provision",
        parsed("disagree_sen_provision", ("disagree_sen_provision", 0.6), ("refused_assessment", 0.3)),
        CONTENT,
        LIMITS,
    )
    main_only = two_problem_outcome(
        "plan_ceasing",
        "complaint_council",
        parsed("plan_ceasing", ("plan_ceasing", 0.97), ("complaint_council", 0.02)),
        CONTENT,
        LIMITS,
    )
    unsure = two_problem_outcome(
        "disagree_plan_content",
        "disagree_placement",
        parsed("nlu_fallback", ("nlu_fallback", 0.45), ("disagree_placement", 0.5), ("disagree_plan_content", 0.47)),
        CONTENT,
        LIMITS,
    )
    figures = summarise_two(
        [both, swapped, main_only, unsure],
        ["disagree_sen_provision", "disagree_sen_provision", "complaint_council", "disagree_placement"],
        CONTENT,
    )
    assert figures["main_answered"] == 2 and figures["other_offered"] == 1
    assert figures["main_answered_and_other_offered"] == 1
    assert figures["other_answered_and_main_offered"] == 1
    assert figures["both_problems_answered_or_offered"] == 2
    assert figures["fallback_first_stage"] == 1
    assert figures["fallback_main_among_buttons"] == 1 and figures["fallback_other_among_buttons"] == 1
    assert figures["a_third_disagreement_offered"] == 0
