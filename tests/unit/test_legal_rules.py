"""Rules that must hold in every reply the assistant can give (issue 9).

Each reply is rendered from content/ (advice.catalogue.all_replies: every
disagreement, every follow-up in every disagreement's context, every topic,
the callback replies) and checked against ../shared/reference/facts.md. A
wrong deadline or route can cost a family its appeal, so these rules are
checked everywhere, not only where we remember to look. The focused tests
further down render the replies behind each error the legal review found.
"""

import re

import pytest

from advice.catalogue import all_replies
from advice.content import get_content
from advice.plain_english import measure
from advice.replies import (
    deadline_reply,
    disagreement_resolution_reply,
    mediation_reply,
    mediation_vs_dr_reply,
    out_of_scope_reply,
    routes_reply,
    service_reply,
    simple_topic_reply,
    tribunal_reply,
)

CONTENT = get_content()
REPLIES = [(name, "\n".join(m.text for m in messages), messages) for name, messages in all_replies(CONTENT)]
APPEALABLE = [d for d, spec in CONTENT.disagreements.items() if spec.get("appeal")]
NEEDS_CERTIFICATE = [d for d in APPEALABLE if CONTENT.disagreements[d]["appeal"]["certificate_needed"]]
# Never a tribunal matter (facts.md: Routes of redress; When support is not delivered).
NEVER_TRIBUNAL = ("disagree_health_social_care", "missed_deadline", "disagree_duties")
TRIBUNAL_URL = "https://www.gov.uk/appeal-ehc-plan-decision"
ADVISER_2_MONTHS = "mediation adviser within 2 months of the date on the decision letter"
FULL_NAME = "First-tier Tribunal (Special Educational Needs and Disability), called the SEND Tribunal"
KEEP_RUNNING = re.compile(r"\bkeeps? running\b")
# The callback form's own questions and answers, and the channels' "too long" and
# "slow down", carry no rights or routes and are only reached from inside the form.
NOT_ADVICE = re.compile(r"^(ask|done(_open)?|invalid|no_consent|stopped|store_down|cancel|too_long|slow_down)\b")


def text_of(messages):
    return "\n".join(m.text for m in messages)


def steps_of(text):
    """The numbered steps of a routes reply, by number."""
    return {int(n): line for n, line in re.findall(r"^(\d+)\. (.*)$", text, re.MULTILINE)}


def test_all_replies_covers_every_context_and_topic():
    names = {name for name, _, _ in REPLIES}
    contexts = ["None", *CONTENT.disagreements]
    for kind in ("disagreement_resolution", "mediation", "tribunal", "deadline", "contact"):
        assert {f"{kind}:{c}" for c in contexts} <= names
    assert {f"routes:{d}" for d in CONTENT.disagreements} <= names
    assert {"mediation_day", "lost_letter", "draft_plan", "young_person", "mediation_vs_dr"} <= names


# --- Rules that hold everywhere ------------------------------------------------


@pytest.mark.parametrize("disagreement", APPEALABLE)
def test_every_appealable_route_warns_about_the_mediation_adviser_and_running_clocks(disagreement):
    steps = steps_of(text_of(routes_reply(CONTENT, disagreement)))
    first = steps[1]
    assert first.startswith("Talk to your EHC case officer")
    assert ADVISER_2_MONTHS in first and KEEP_RUNNING.search(first), first
    for number, line in steps.items():
        if "disagreement resolution" in line:
            # The mediation adviser's 2 months are in this step or one the family read before it.
            earlier = " ".join(steps[n] for n in steps if n <= number)
            assert ADVISER_2_MONTHS in earlier and KEEP_RUNNING.search(line), line
    follow_up = text_of(disagreement_resolution_reply(CONTENT, disagreement))
    assert ADVISER_2_MONTHS in follow_up and KEEP_RUNNING.search(follow_up)


# Every route whose first step is "talk to your case officer" (facts.md, Tribunal facts:
# "Say this every time a route starts with 'talk to your case officer first'").
CASE_OFFICER_FIRST = [
    d
    for d in CONTENT.disagreements
    if steps_of(text_of(routes_reply(CONTENT, d)))[1].startswith("Talk to your EHC case officer")
]


def test_case_officer_first_covers_every_appeal_and_health_and_social_care():
    assert set(APPEALABLE) | {"disagree_health_social_care"} <= set(CASE_OFFICER_FIRST)


@pytest.mark.parametrize("disagreement", CASE_OFFICER_FIRST)
def test_every_route_that_starts_with_the_case_officer_warns_that_the_clocks_keep_running(disagreement):
    steps = steps_of(text_of(routes_reply(CONTENT, disagreement)))
    assert KEEP_RUNNING.search(steps[1]) and "date on the decision letter" in steps[1], steps[1]
    assert "do not wait for their answer" in steps[1].lower(), steps[1]
    for line in steps.values():
        if "disagreement resolution" in line:
            assert KEEP_RUNNING.search(line), line


LGSCO = re.compile(r"Local Government and Social Care Ombudsman|\bthe Ombudsman\b")
OMBUDSMAN_LIMIT = re.compile(r"(normally (will|does) not|cannot) look at")


@pytest.mark.parametrize("name,text", [(n, t) for n, t, _ in REPLIES if LGSCO.search(t)])
def test_a_reply_that_offers_the_ombudsman_never_ignores_an_appealable_decision(name, text):
    """The Ombudsman normally will not look at what could be appealed, and never at
    anything connected to an appeal (facts.md; R (Milburn) v LGSCO [2023] EWCA Civ 207):
    a reply naming it either says the matter cannot go to a tribunal, or says that."""
    assert "cannot go to a tribunal" in text or OMBUDSMAN_LIMIT.search(text), name


@pytest.mark.parametrize("name,text", [(n, t) for n, t, _ in REPLIES if "ends later" in t or "1 month" in t])
def test_the_certificate_never_reads_as_more_time_for_everyone(name, text):
    """A later certificate only helps a family who contacted the mediation adviser in time."""
    assert ADVISER_2_MONTHS in text, name
    if "if that ends later" in text:
        assert "only helps if you contacted the mediation adviser in time" in text, name


@pytest.mark.parametrize("disagreement", NEVER_TRIBUNAL)
def test_no_reply_sends_these_to_the_tribunal(disagreement):
    for name, text, _ in REPLIES:
        if not name.endswith(f":{disagreement}"):
            continue
        assert TRIBUNAL_URL not in text and "SEND35" not in text, name
        assert not re.search(r"\byou can (appeal|make a claim)", text, re.IGNORECASE), name
    for reply in (routes_reply, tribunal_reply, deadline_reply):
        text = text_of(reply(CONTENT, disagreement))
        assert re.search(r"cannot (go to|hear)", text), (reply.__name__, text)


@pytest.mark.parametrize("name,text", [(n, t) for n, t, _ in REPLIES])
def test_no_reply_offers_a_late_appeal_or_one_without_a_certificate_as_routine(name, text):
    lowered = text.lower()
    assert "permission" not in lowered, name
    assert not re.search(r"appeal (late|without (a|one|the))", lowered), name
    if "still send your appeal on time" in lowered:
        assert "tribunal's decision" in lowered and "at once" in lowered, name


@pytest.mark.parametrize("name,text", [(n, t) for n, t, _ in REPLIES])
def test_every_reply_reads_at_grade_8_or_below(name, text):
    for message in {n: m for n, _, m in REPLIES}[name]:
        result = measure(message.text)
        assert result.ok, f"{name}: grade {result.grade:.1f}, longest sentence {result.longest_sentence}"


@pytest.mark.parametrize("name,text", [(n, t) for n, t, _ in REPLIES if not NOT_ADVICE.match(n)])
def test_terms_are_explained_wherever_a_family_can_land(name, text):
    if re.search(r"\bEHC\b", text):
        assert "Education, Health and Care" in text, name
    plain_send = re.sub(r"SEND (Tribunal|Information)|SEND(IAS|35a?|4A|4B)\b|\(SEND\)", "", text)
    if re.search(r"\bSEND\b", plain_send):
        assert "special educational needs and disabilities (SEND)" in text, name
    if "SEND Tribunal" in text:
        assert FULL_NAME in text or "(Special Educational Needs and Disability) is called the SEND Tribunal" in text, (
            name
        )
        assert text.index("SEND Tribunal") > text.index("First-tier Tribunal"), name
    if "mediation adviser" in text:
        assert "details are in" in text, name
    if "decision letter" in text:
        assert "The decision letter is the council's letter telling you its decision." in text, name


def test_every_fact_bearing_text_names_its_source():
    from advice.content_check import needs_source, source_errors

    assert source_errors(CONTENT) == []
    places = needs_source(CONTENT)
    assert "steps.talk_case_officer" in places and "topics.deadline.clocks" in places
    assert all(CONTENT.sources[p].strip() for p in places)


# --- Section 1: one focused test per error the legal review found ---------------


def test_error_1_mediation_adviser_deadline_and_running_clocks():
    routes = text_of(routes_reply(CONTENT, "refused_assessment"))
    steps = steps_of(routes)
    assert ADVISER_2_MONTHS in steps[1] and "keeps running while you talk" in steps[1]
    assert "Missing this can cost you your appeal" in steps[2]
    reassessment = steps_of(text_of(routes_reply(CONTENT, "refused_reassessment")))
    assert ADVISER_2_MONTHS in reassessment[2] and "Missing this can cost you your appeal" in reassessment[2]
    assert "your time limits keep running while you use it" in reassessment[3]
    deadline = text_of(deadline_reply(CONTENT, "refused_assessment"))
    assert "not the day it arrived" in deadline
    assert "keep running while you talk to your case officer or use disagreement resolution" in deadline
    assert "That later date only helps if you contacted the mediation adviser in time" in deadline


def test_error_2_health_and_social_care_still_needs_the_certificate_for_the_education_part():
    for text in (
        text_of(routes_reply(CONTENT, "disagree_health_social_care")),
        text_of(tribunal_reply(CONTENT, "disagree_health_social_care")),
        text_of(deadline_reply(CONTENT, "disagree_health_social_care")),
    ):
        assert "cannot hear an appeal about health or social care on its own" in text
        assert "appeal another decision, such as what the plan says" in text
        assert "It cannot do this in an appeal about a refusal to assess" in text
        assert ADVISER_2_MONTHS in text and "only about the school named" in text
    routes = text_of(routes_reply(CONTENT, "disagree_health_social_care"))
    assert "For the health and social care parts of an EHC plan, you can also choose mediation" in routes
    dr = text_of(disagreement_resolution_reply(CONTENT, "disagree_health_social_care"))
    assert "your time limits keep running while you use it" in dr and ADVISER_2_MONTHS in dr
    mediation = text_of(mediation_reply(CONTENT, "disagree_health_social_care"))
    assert "mediation is your choice" in mediation and ADVISER_2_MONTHS in mediation
    assert "You do not need a mediation certificate for this kind of disagreement" not in mediation


def test_error_3_no_certificate_at_the_deadline_is_not_a_routine_fallback():
    text = text_of(tribunal_reply(CONTENT, "refused_ehc_plan"))
    assert "still send your appeal on time" in text and "Tell the tribunal why it is missing" in text
    assert "Whether it accepts your appeal is the tribunal's decision" in text
    assert "Ask SENDIAS for help at once" in text
    assert "permission" not in text


def test_error_4_support_in_the_plan_is_the_councils_duty():
    text = text_of(routes_reply(CONTENT, "disagree_duties"))
    assert (
        "legal duty to make sure your child gets the special educational support written in the plan (section F)"
        in text
    )
    order = [
        text.index(p)
        for p in (
            "1. Write to your EHC case officer",
            "complain to the council",
            "Local Government and Social Care Ombudsman",
            "judicial review pre-action letter",
        )
    ]
    assert order == sorted(order)
    assert "complaints procedure of the school" not in text
    school = text_of(routes_reply(CONTENT, "disagree_sen_provision"))
    order = [
        school.index(p)
        for p in (
            "SENCO",
            "complaints procedure of the school",
            "Department for Education's route for complaints about a school (to be confirmed)",
        )
    ]
    assert order == sorted(order)
    assert "Ombudsman cannot look at most matters inside a school" in school


def test_error_5_discrimination_schools_to_the_tribunal_others_to_the_county_court():
    text = text_of(routes_reply(CONTENT, "disability_discrimination"))
    assert "school of any kind" in text and "academies" in text and "independent schools" in text
    assert "SEND4A" in text and "SEND4B" in text and "You do not need mediation" in text
    assert "within 6 months, starting with the day it happened" in text
    assert "the last day is the day before the same date 6 months later" in text
    assert "10 March, the last day is 9 September" in text
    assert "college, a private nursery or another provider, the claim goes to the county court" in text
    assert "So does a claim against the council itself, but not one against a school it runs" in text


def test_error_6_the_draft_plan_note_comes_before_the_appeal_step():
    text = text_of(routes_reply(CONTENT, "disagree_plan_content"))
    assert text.index("at least 15 days") < text.index("1. ") < text.index("You can appeal")
    assert "you cannot appeal it yet" in text and "Your right to appeal starts with the final plan" in text


def test_error_7_disagreement_resolution_and_mediation_are_compared_evenly():
    text = text_of(mediation_vs_dr_reply(CONTENT))
    assert "everyone must agree to take part, so the council, school or health service can say no" in text
    assert "Mediation is your choice. If you want it, the council must take part." in text
    assert ADVISER_2_MONTHS in text and "keep running while you use it" in text


def test_error_8_ceasing_the_right_of_appeal_starts_with_the_decision():
    text = text_of(routes_reply(CONTENT, "plan_ceasing"))
    assert text.index("You can appeal once the council decides to stop the plan") < text.index("1. ")
    assert "keep the plan in place until the time to appeal has passed" in text
    assert "If you appeal, it must keep the plan in place until the appeal ends" in text
    assert "only proposes it does not start them" in text_of(deadline_reply(CONTENT, "plan_ceasing"))


def test_error_9_minor_points():
    assert "16 weeks from the request" in text_of(routes_reply(CONTENT, "missed_deadline"))
    for disagreement in ("refused_reassessment", "refused_amendment"):
        assert "You can also ask for disagreement resolution" in text_of(routes_reply(CONTENT, disagreement))


# --- Section 2: the questions families ask --------------------------------------


def test_who_is_responsible_for_support_in_the_plan():
    text = text_of(routes_reply(CONTENT, "disagree_duties"))
    assert "even when a school, nursery or college" in text
    assert "cannot go to a tribunal" in text_of(tribunal_reply(CONTENT, "disagree_duties"))


def test_the_council_missed_a_time_limit():
    text = text_of(routes_reply(CONTENT, "missed_deadline"))
    for limit in (
        "6 weeks from a request",
        "16 weeks from the request",
        "20 weeks from the request",
        "at least every 12 months",
        "4 weeks after a review meeting",
        "8 weeks after sending proposed changes",
        "15 February",
        "31 March",
    ):
        assert limit in text, limit
    assert "1. Write to your EHC case officer" in text and "judicial review" in text


def test_its_been_7_weeks_am_i_too_late():
    text = text_of(deadline_reply(CONTENT, None))
    assert "such as 7 weeks, do not wait: contact the mediation adviser today" in text
    assert "still send your appeal on time" in text and "tribunal's decision" in text


def test_lost_the_letter():
    for text in (text_of(simple_topic_reply(CONTENT, "lost_letter")), text_of(deadline_reply(CONTENT, None))):
        assert "copy" in text and "the date it was sent" in text
    lost = text_of(simple_topic_reply(CONTENT, "lost_letter"))
    assert "not the day it arrived" in lost
    assert "such as the certificate or the letter, still send your appeal on time" in lost
    assert "tribunal's decision" in lost


def test_the_draft_plan():
    text = text_of(simple_topic_reply(CONTENT, "draft_plan"))
    assert "at least 15 days" in text and "ask for a meeting" in text
    assert "ask for a particular school or college" in text and "not suitable for your child" in text
    assert "You cannot appeal a draft" in text


def test_a_young_persons_own_rights():
    text = text_of(simple_topic_reply(CONTENT, "young_person"))
    assert "last Friday in June of the school year in which they turn 16" in text
    assert "own right to appeal and to ask for mediation" in text
    assert "A parent or another supporter can help them" in text and "come with them to mediation" in text
    assert "mental capacity" in text and "deputy or attorney" in text and "If there is none, a parent does" in text


def test_do_i_have_to_go_to_mediation_and_what_happens_on_the_day():
    messages = mediation_reply(CONTENT, None)
    text = text_of(messages)
    assert "You do not have to go: mediation is your choice" in text
    assert ADVISER_2_MONTHS in text and "even if you do not want mediation" in text
    assert "/ask_mediation_day" in [b.payload for m in messages for b in m.buttons]
    day = text_of(simple_topic_reply(CONTENT, "mediation_day"))
    assert "someone from the council" in day and "You can bring a supporter" in day
    assert "it is written down" in day and "The council must then act on it" in day


def test_school_support_without_a_plan():
    text = text_of(routes_reply(CONTENT, "disagree_sen_provision"))
    assert "ask the council for an Education, Health and Care (EHC) needs assessment yourself" in text
    assert "/disability_discrimination" in [
        b.payload for m in routes_reply(CONTENT, "disagree_sen_provision") for b in m.buttons
    ]


@pytest.mark.parametrize("disagreement", [d for d, s in CONTENT.disagreements.items() if not s.get("appeal")])
def test_how_long_do_i_have_where_there_is_no_appeal(disagreement):
    text = text_of(deadline_reply(CONTENT, disagreement))
    if disagreement == "disability_discrimination":
        assert "within 6 months, starting with the day it happened" in text and "county court" in text
    else:
        assert "no tribunal deadline" in text
    assert "You have 2 months from the date on the decision letter" not in text


# --- The independent review of every reply (handoff/review/replies_review.md) ----
# One test per finding fixed, named by its number in the review.


def test_review_2_health_and_social_care_steps_1_and_2_warn_that_the_clocks_keep_running():
    steps = steps_of(text_of(routes_reply(CONTENT, "disagree_health_social_care")))
    assert "Might you also appeal a decision, such as what the plan says?" in steps[1]
    assert "Then do not wait for their answer" in steps[1]
    assert "Your time limits started on the date on the decision letter" in steps[1]
    assert "They keep running while you talk" in steps[1]
    assert "your time limits keep running while you use disagreement resolution" in steps[2]


APPEALABLE_BUTTONS = {f"/{d}" for d in APPEALABLE}


def payloads(messages):
    return {b.payload for m in messages for b in m.buttons}


def test_review_3_a_complaint_about_the_council_never_ignores_an_appealable_decision():
    messages = routes_reply(CONTENT, "complaint_council")
    text = text_of(messages)
    warning = text.index("A complaint will not change that decision")
    assert warning < text.index("1. ")
    assert "The Ombudsman normally will not look at it either" in text
    assert ADVISER_2_MONTHS in text and "Your time limits keep running while you complain" in text
    assert "It normally will not look at a decision you could appeal to the tribunal" in text
    assert payloads(messages) >= APPEALABLE_BUTTONS
    appeal = tribunal_reply(CONTENT, "complaint_council")
    assert "A complaint will not change them" in text_of(appeal) and payloads(appeal) >= APPEALABLE_BUTTONS
    deadline = text_of(deadline_reply(CONTENT, "complaint_council"))
    assert "do not wait for the complaint" in deadline and ADVISER_2_MONTHS in deadline
    assert KEEP_RUNNING.search(deadline)


def test_review_10_health_and_social_care_an_appeal_closes_the_ombudsman_route():
    for text in (
        text_of(routes_reply(CONTENT, "disagree_health_social_care")),
        text_of(tribunal_reply(CONTENT, "disagree_health_social_care")),
    ):
        assert "cannot look at anything connected to your appeal" in text
        assert "Ask SENDIAS which route suits you before you choose" in text


def test_review_16_no_time_limit_is_promised_for_a_council_complaint():
    text = text_of(deadline_reply(CONTENT, "complaint_council"))
    assert "at any time" not in text and "Complain as soon as you can" in text


@pytest.mark.parametrize("disagreement", ["refused_reassessment", "disagree_plan_content", "refused_amendment"])
def test_review_5_the_mediation_adviser_has_its_own_step_and_the_comparison_is_even(disagreement):
    steps = steps_of(text_of(routes_reply(CONTENT, disagreement)))
    adviser = steps[2]
    assert adviser.startswith("Before you can appeal, you must contact the mediation adviser")
    assert "Tell them you want to appeal, and whether you want mediation" in adviser
    assert "Missing this can cost you your appeal" in adviser
    assert "disagreement resolution" not in adviser
    choice = steps[3]
    assert "Everyone must agree to take part" in choice and "time limits keep running" in choice
    assert "Mediation is your choice. If you choose it, the council must take part." in choice


@pytest.mark.parametrize("disagreement", NEEDS_CERTIFICATE)
def test_review_21_most_appeals_is_never_said_where_this_appeal_needs_the_adviser(disagreement):
    replies = [(n, t) for n, t, _ in REPLIES if n.endswith(f":{disagreement}")]
    assert len(replies) >= 5
    for name, text in replies:
        assert "most appeals" not in text.lower(), name
    assert "to appeal this decision, you must still contact the mediation adviser" in text_of(
        mediation_reply(CONTENT, disagreement)
    )
    assert "You must do this to appeal" in text_of(deadline_reply(CONTENT, disagreement))
    # Where no disagreement is known, "most" stays: a placement-only appeal needs no certificate.
    assert "for most appeals" in text_of(mediation_reply(CONTENT, None))
    assert "Most appeals need this" in text_of(deadline_reply(CONTENT, None))


def test_review_6_placement_at_7_weeks_send_the_appeal_now():
    text = text_of(deadline_reply(CONTENT, "disagree_placement"))
    assert "such as 7 weeks, do not wait: send your appeal now" in text
    assert "If it is also about other parts of the plan, contact the mediation adviser today too" in text
    assert "do not wait: contact the mediation adviser today" not in text
    # Appeals that need a certificate keep the adviser first.
    assert "do not wait: contact the mediation adviser today" in text_of(deadline_reply(CONTENT, "refused_ehc_plan"))


def test_review_11_placement_route_replies_work_to_the_2_months():
    for text in (
        text_of(routes_reply(CONTENT, "disagree_placement")),
        text_of(tribunal_reply(CONTENT, "disagree_placement")),
        text_of(deadline_reply(CONTENT, "disagree_placement")),
    ):
        two, receive = (
            text.index("You have 2 months"),
            text.index("The tribunal must receive your appeal by the last day"),
        )
        other = text.index("Is your appeal also about other parts of the plan? Then you need a mediation certificate.")
        assert two < receive < other < text.index("1 month from the date on it, if that ends later")
        assert "Ask SENDIAS before you rely on a later date" in text


def test_review_36_placement_how_do_i_appeal_names_the_school_and_sends_on_time():
    text = text_of(tribunal_reply(CONTENT, "disagree_placement"))
    assert "Say in your appeal which school or college you want" in text
    assert "still send your appeal on time" in text and "tribunal's decision" in text


def test_review_7_school_support_sends_a_child_with_a_plan_to_the_councils_duty():
    messages = routes_reply(CONTENT, "disagree_sen_provision")
    text = text_of(messages)
    assert text.index("the council must put it right") < text.index("1. ")
    assert 'Choose "Support in the plan not given"' in text
    assert "/disagree_duties" in payloads(messages)
    for reply in (tribunal_reply, deadline_reply):
        follow_up = reply(CONTENT, "disagree_sen_provision")
        assert 'the council must put it right: choose "Support in the plan not given"' in text_of(follow_up)
        assert "/disagree_duties" in payloads(follow_up)


def test_review_8_and_24_support_in_the_plan_health_is_the_nhs_and_no_out_of_school_claim():
    text = text_of(routes_reply(CONTENT, "disagree_duties"))
    assert "no education has been arranged" not in text
    assert "Health support in the plan is different: the local NHS must arrange it" in text
    assert "make an NHS complaint, starting with PALS, the Patient Advice and Liaison Service" in text
    assert "special educational support written in the plan (section F)" in text
    assert "support in section F" not in text


NO_MEDIATION = [d for d, spec in CONTENT.disagreements.items() if not spec.get("appeal") and not spec.get("mediation")]


def test_no_mediation_covers_the_disagreements_the_review_named():
    assert set(NO_MEDIATION) == {
        "disagree_duties",
        "missed_deadline",
        "disagree_sen_provision",
        "disability_discrimination",
        "complaint_council",
    }


@pytest.mark.parametrize("disagreement", NO_MEDIATION)
def test_review_9_mediation_is_never_promised_where_it_is_not_a_route(disagreement):
    text = text_of(mediation_reply(CONTENT, disagreement))
    assert "the council must take part" not in text and "talk about the decision" not in text
    assert "Prime Resolution runs mediation" not in text
    assert "It is not a step for this kind of disagreement" in text
    offers_dr = "disagreement_resolution" in CONTENT.disagreements[disagreement]["steps"]
    assert (
        "the free, independent option is disagreement resolution. Everyone must agree to take part" in text
    ) is offers_dr
    # Where mediation is a route, the council's duty to take part is still said.
    assert "If you choose it, the council must take part" in text_of(mediation_reply(CONTENT, "refused_assessment"))


def test_review_9_the_comparison_says_who_each_is_with():
    text = text_of(mediation_vs_dr_reply(CONTENT))
    assert "Disagreement resolution can be with the council, a school or a health service" in text
    assert "Mediation is with the council, and with the NHS too when health is part of it" in text
    assert "council or school reach agreement" not in text


def test_review_17_the_15_february_date_is_for_moving_up_a_stage_only():
    text = text_of(routes_reply(CONTENT, "missed_deadline"))
    assert (
        "Moving up a stage, such as primary to secondary school: the plan must name the new school by 15 February"
        in text
    )
    assert "For a move to a new school" not in text


def test_review_18_the_unconfirmed_dfe_route_is_marked_in_its_service_reply():
    text = text_of(service_reply(CONTENT, "dfe"))
    assert "the Department for Education's route for complaints about a school (to be confirmed)" in text


def test_review_19_disagreement_resolution_does_not_stop_a_claims_6_months():
    text = text_of(disagreement_resolution_reply(CONTENT, "disability_discrimination"))
    assert "Your 6 months to make a claim keep running while you use it. Do not wait for it to finish." in text


@pytest.mark.parametrize("service", ["dfe", "sendiog"])
def test_review_32_a_service_with_no_contact_details_says_who_can_point_the_way(service):
    text = text_of(service_reply(CONTENT, service))
    assert "Ask Walsall SENDIAS how to reach them, on 01922 650330" in text
    assert not text.rstrip().endswith(f"{CONTENT.services[service].name[1:]}.")


def test_review_32_the_council_contact_form_says_where_it_is():
    for disagreement in ("complaint_council", "disagree_duties", "missed_deadline"):
        text = text_of(routes_reply(CONTENT, disagreement))
        assert "contact form on the council's website" in text or "on the council's website" in text, disagreement
        assert "Use its contact form" not in text


def test_review_33_out_of_scope_includes_young_people():
    assert "a child's or young person's special needs support" in text_of(out_of_scope_reply(CONTENT))


def test_review_34_the_county_court_is_for_the_council_itself_not_its_schools():
    for text in (
        text_of(routes_reply(CONTENT, "disability_discrimination")),
        text_of(tribunal_reply(CONTENT, "disability_discrimination")),
        text_of(deadline_reply(CONTENT, "disability_discrimination")),
    ):
        assert re.search(r"council itself(,| \()", text), text
        assert "school it runs" in text or "not one of its schools" in text


def test_review_35_the_tribunal_also_hears_discrimination_claims_against_schools():
    assert "It also hears disability discrimination claims against schools" in text_of(
        service_reply(CONTENT, "tribunal")
    )


@pytest.mark.parametrize("disagreement", APPEALABLE)
def test_review_22_and_37_the_most_urgent_action_comes_first_counted_from_the_printed_date(disagreement):
    text = text_of(routes_reply(CONTENT, disagreement))
    lines = text.split("\n")
    assert lines[1].startswith("Most urgent"), lines[1]
    assert "Count from the date printed on the letter, not the day it arrived." in lines[1]
    if disagreement in NEEDS_CERTIFICATE:
        assert ADVISER_2_MONTHS in lines[1] and "even if you do not want mediation" in lines[1]
    else:
        assert "send your appeal in time. You have 2 months from the date on the decision letter" in lines[1]
    # The summary a family keeps starts the same way.
    import datetime as dt

    from advice.summary import summary_text

    kept = summary_text(CONTENT, disagreement, dt.date(2026, 12, 2))
    assert lines[1] in kept and kept.index(lines[1]) < kept.index("1. ")


def test_review_31_ceasing_step_1_separates_a_proposal_from_a_decision():
    first = steps_of(text_of(routes_reply(CONTENT, "plan_ceasing")))[1]
    assert "If you have only had a proposal, tell them now why the plan should stay" in first
    assert "If you have a decision letter, do not wait for their answer" in first
    assert "Ask them to explain the decision" not in first


def test_review_30_the_draft_plan_says_where_to_send_comments():
    text = text_of(simple_topic_reply(CONTENT, "draft_plan"))
    assert "Send your comments to your EHC case officer within the 15 days" in text
    assert "name the school or college you want, in the same message" in text


@pytest.mark.parametrize("name,text", [(n, t) for n, t, _ in REPLIES if "SEND35" in t])
def test_review_26_every_reply_with_an_appeal_form_names_the_tribunal_in_full(name, text):
    assert FULL_NAME in text, name


def test_review_25_the_ombudsman_is_explained_where_it_is_a_step():
    for disagreement in ("disagree_duties", "missed_deadline", "complaint_council"):
        text = text_of(routes_reply(CONTENT, disagreement))
        assert "It looks at complaints the council has not put right" in text, disagreement


def test_review_27_the_ombudsman_number_is_shown_as_confirmed():
    assert CONTENT.services["lgsco"].details["phone"].verified is True
    text = text_of(routes_reply(CONTENT, "complaint_council"))
    assert "0300 061 0614." in text and "0300 061 0614 (to be confirmed)" not in text


def test_review_23_the_mediation_certificate_is_explained_in_the_advisers_step():
    step = steps_of(text_of(routes_reply(CONTENT, "refused_assessment")))[2]
    assert "They then give you a mediation certificate. You need it to appeal." in step
