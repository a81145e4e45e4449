"""The route table and its rendering agree with ../shared/reference/facts.md."""
import re

import pytest
import yaml

from actions.content import get_content
from actions.replies import mediation_reply, routes_reply, tribunal_reply

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
NOT_APPEALABLE = {"disagree_duties", "disagree_sen_provision", "disagree_health_social_care", "complaint_council"}
TRIBUNAL_URL = "https://www.gov.uk/appeal-ehc-plan-decision"


def text_of(messages):
    return "\n".join(m.text for m in messages)


def test_every_disagreement_intent_has_routes_and_nothing_else_does():
    with open("domain.yml", encoding="utf-8") as handle:
        intents = set(yaml.safe_load(handle)["intents"])
    assert set(CONTENT.disagreements) == set(APPEALABLE) | NOT_APPEALABLE
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
    assert first_step == "talk_case_officer"
    assert "1. Talk to your EHC case officer" in text_of(routes_reply(CONTENT, disagreement))


@pytest.mark.parametrize("disagreement", sorted(NOT_APPEALABLE))
def test_no_tribunal_where_there_is_no_appeal(disagreement):
    text = text_of(routes_reply(CONTENT, disagreement))
    assert "appeal to the SEND Tribunal" not in text
    assert TRIBUNAL_URL not in text
    assert CONTENT.disagreements[disagreement]["appeal"] is None
    follow_up = text_of(tribunal_reply(CONTENT, disagreement))
    assert "cannot" in follow_up or "does not go" in follow_up
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
    assert "permission to appeal without one" in text_of(tribunal_reply(CONTENT, disagreement))


def test_the_plan_stays_in_place_during_a_ceasing_appeal():
    assert "keep the plan in place until the appeal ends" in text_of(routes_reply(CONTENT, "plan_ceasing"))


def test_council_complaints_go_to_the_contact_form_then_the_ombudsman():
    text = text_of(routes_reply(CONTENT, "complaint_council"))
    assert text.index("contact form") < text.index("Ombudsman")
    assert "0300 061 0614" in text


def test_disagreement_resolution_is_offered_where_the_table_says():
    for disagreement in ("disagree_duties", "disagree_sen_provision", "disagree_health_social_care", "disagree_plan_content"):
        assert "disagreement resolution" in text_of(routes_reply(CONTENT, disagreement)).lower()


def test_steps_are_numbered_in_order_and_sendias_closes_every_routes_reply():
    for disagreement in CONTENT.disagreements:
        text = text_of(routes_reply(CONTENT, disagreement))
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", text, re.MULTILINE)]
        assert numbers == list(range(1, len(CONTENT.disagreements[disagreement]["steps"]) + 1))
        assert text.splitlines()[-1].startswith("For free, impartial advice, contact Walsall SENDIAS")


def test_legal_timescales_appear_where_families_ask_about_them():
    assert "20 weeks" in text_of(routes_reply(CONTENT, "disagree_duties"))
    assert "15 days" in text_of(routes_reply(CONTENT, "disagree_plan_content"))
    assert "4 weeks" in text_of(routes_reply(CONTENT, "refused_amendment"))
    assert "6 months" in text_of(routes_reply(CONTENT, "disagree_sen_provision"))


def test_the_deadline_is_written_once_in_the_content():
    raw = "".join(open(f"content/{name}.yml", encoding="utf-8").read() for name in ("routes", "topics", "services"))
    assert len(re.findall(r"\b2 months", raw)) == 1
