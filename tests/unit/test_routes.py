"""The route table and its rendering agree with ../shared/reference/facts.md."""

import re

import pytest
import yaml

from advice.content import get_content
from advice.replies import mediation_reply, routes_reply, tribunal_reply

CONTENT = get_content()
APPEALABLE = {
    "refused_assessment": "SEND35a",
    "refused_reassessment": "SEND35",
    "refused_ehc_plan": "SEND35",
    "disagree_plan_content": "SEND35",
    "disagree_placement": "SEND35",
    "refused_amendment": "SEND35",
    "plan_ceasing": "SEND35",
}
NOT_APPEALABLE = {
    "disagree_duties",
    "missed_deadline",
    "disagree_sen_provision",
    "disagree_health_social_care",
    "complaint_council",
}
# A claim, not an appeal: to the tribunal against a school, else the county court.
CLAIM = {"disability_discrimination"}
TRIBUNAL_URL = "https://www.gov.uk/appeal-ehc-plan-decision"


def text_of(messages):
    return "\n".join(m.text for m in messages)


def test_every_disagreement_intent_has_routes_and_nothing_else_does():
    with open("domain.yml", encoding="utf-8") as handle:
        intents = set(yaml.safe_load(handle)["intents"])
    assert set(CONTENT.disagreements) == set(APPEALABLE) | NOT_APPEALABLE | CLAIM
    assert set(CONTENT.disagreements) <= intents


@pytest.mark.parametrize("disagreement,form", sorted(APPEALABLE.items()))
def test_appealable_decisions_give_the_tribunal_deadline_form_and_link(disagreement, form):
    text = text_of(routes_reply(CONTENT, disagreement))
    assert f"form {form}." in text or f"form {form} " in text
    assert "2 months from the date on the decision letter" in text
    assert "1 month from the date on it, if that ends later" in text
    assert "later" in text
    assert TRIBUNAL_URL in text


@pytest.mark.parametrize("disagreement", sorted(APPEALABLE))
def test_ehc_decisions_start_with_the_case_officer(disagreement):
    first_step = CONTENT.disagreements[disagreement]["steps"][0]
    # The placement variant differs only in how it warns about the mediation adviser;
    # the ceasing variant, in what to do when there is only a proposal so far.
    variants = {"disagree_placement": "talk_case_officer_placement", "plan_ceasing": "talk_case_officer_ceasing"}
    assert first_step == variants.get(disagreement, "talk_case_officer")
    assert "1. Talk to your EHC case officer" in text_of(routes_reply(CONTENT, disagreement))


@pytest.mark.parametrize("disagreement", sorted(NOT_APPEALABLE | CLAIM))
def test_no_tribunal_where_there_is_no_appeal(disagreement):
    text = text_of(routes_reply(CONTENT, disagreement))
    assert "appeal to the SEND Tribunal" not in text and "You can appeal" not in text
    assert TRIBUNAL_URL not in text and "SEND35" not in text
    assert CONTENT.disagreements[disagreement]["appeal"] is None
    follow_up = text_of(tribunal_reply(CONTENT, disagreement))
    assert "cannot" in follow_up or "does not go" in follow_up or "not an appeal" in follow_up
    assert TRIBUNAL_URL not in follow_up


def test_health_and_social_care_alone_never_goes_to_the_tribunal():
    text = text_of(routes_reply(CONTENT, "disagree_health_social_care"))
    assert "PALS" in text and "NHS complaint" in text
    assert "Ombudsman" in text
    assert "cannot hear an appeal about health or social care on its own" in text_of(
        tribunal_reply(CONTENT, "disagree_health_social_care")
    )


def test_placement_only_appeal_needs_no_mediation_certificate():
    spec = CONTENT.disagreements["disagree_placement"]
    assert spec["appeal"]["certificate_needed"] is False
    routes = text_of(routes_reply(CONTENT, "disagree_placement"))
    assert "do not need a mediation certificate" in routes
    assert "you must contact the mediation adviser" not in routes
    assert "do not need a mediation certificate" in text_of(mediation_reply(CONTENT, "disagree_placement"))


@pytest.mark.parametrize("disagreement", sorted(set(APPEALABLE) - {"disagree_placement"}))
def test_other_appeals_need_the_mediation_adviser_first(disagreement):
    routes = text_of(routes_reply(CONTENT, disagreement))
    assert "mediation adviser" in routes and "mediation certificate" in routes
    follow_up = text_of(tribunal_reply(CONTENT, disagreement))
    assert "still send your appeal on time" in follow_up and "tribunal's decision" in follow_up
    assert "permission" not in follow_up


def test_the_plan_stays_in_place_during_a_ceasing_appeal():
    text = text_of(routes_reply(CONTENT, "plan_ceasing"))
    assert "keep the plan in place until the time to appeal has passed" in text
    assert "keep the plan in place until the appeal ends" in text


def test_council_complaints_go_to_the_contact_form_then_the_ombudsman():
    text = text_of(routes_reply(CONTENT, "complaint_council"))
    steps = text[text.index("\n1. ") :]  # the warning about appealable decisions comes first
    assert steps.index("contact form") < steps.index("Ombudsman")
    assert "0300 061 0614" in text


def test_disagreement_resolution_is_offered_where_the_table_says():
    for disagreement in (
        "disagree_duties",
        "disagree_sen_provision",
        "disagree_health_social_care",
        "disagree_plan_content",
        "refused_reassessment",
        "refused_amendment",
    ):
        assert "disagreement resolution" in text_of(routes_reply(CONTENT, disagreement)).lower()


def test_steps_are_numbered_in_order_and_sendias_closes_every_routes_reply():
    for disagreement in CONTENT.disagreements:
        text = text_of(routes_reply(CONTENT, disagreement))
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", text, re.MULTILINE)]
        assert numbers == list(range(1, len(CONTENT.disagreements[disagreement]["steps"]) + 1))
        assert text.splitlines()[-1].startswith("For free, impartial advice, contact Walsall SENDIAS")


def test_legal_timescales_appear_where_families_ask_about_them():
    missed = text_of(routes_reply(CONTENT, "missed_deadline"))
    assert all(limit in missed for limit in ("6 weeks", "16 weeks", "20 weeks", "12 months", "4 weeks", "8 weeks"))
    assert "15 days" in text_of(routes_reply(CONTENT, "disagree_plan_content"))
    assert "4 weeks" in text_of(routes_reply(CONTENT, "refused_amendment"))
    assert "6 months" in text_of(routes_reply(CONTENT, "disability_discrimination"))
    assert "6 weeks" in text_of(routes_reply(CONTENT, "disagree_sen_provision"))


def strings_in(node):
    """Every text in a loaded YAML file, whitespace normalised."""
    if isinstance(node, str):
        return [" ".join(node.split())]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings_in(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings_in(value)]
    return []


def test_the_tribunal_deadlines_are_written_once_in_the_content():
    """Each clock has one home under `appeals`; every other text uses its placeholder."""
    loaded = {}
    for name in ("routes", "topics", "services"):
        with open(f"content/{name}.yml", encoding="utf-8") as handle:
            loaded[name] = yaml.safe_load(handle)
    appeals = "\n".join(strings_in(loaded["routes"].pop("appeals")))
    elsewhere = "\n".join(s for data in loaded.values() for s in strings_in(data))
    assert re.findall(r"\b2 months", elsewhere) == []
    # The only other "1 month": it runs from a certificate issued when mediation is late.
    assert re.findall(r"\b1 month\b", elsewhere.replace("The 1 month to appeal from a certificate then", "")) == []
    assert len(re.findall(r"\b2 months", appeals)) == 2  # the mediation adviser's, and the appeal's
    assert len(re.findall(r"\b1 month\b", appeals)) == 1
