"""Conversations with the running assistant, over the REST channel.

Each message here is written for this test, not copied from the training data.
"""

import sqlite3

import pytest

from channels.rest import conversation_id
from tests.e2e.expected import TOO_LONG, assert_crisis_first, assert_no_apology

pytestmark = pytest.mark.e2e

DEADLINE = ("2 months from the date on the decision letter", "1 month from the date on it, if that ends later")
ADVISER = "mediation adviser within 2 months of the date on the decision letter"
TRIBUNAL_URL = "https://www.gov.uk/appeal-ehc-plan-decision"
EHC_TEAM, SENDIAS, PRIME = "01922 652871", "01922 650330", "07582 548611"

# message -> (what the first reply must contain, what it must not)
FIRST_MESSAGES = {
    "refused_assessment": (
        "we asked the council to do an ehc needs assessment for my boy and the letter says no",
        [
            "said no to an Education, Health and Care (EHC) needs assessment",
            "SEND35a",
            *DEADLINE,
            TRIBUNAL_URL,
            EHC_TEAM,
            ADVISER,
            "keeps running while you talk",
            SENDIAS,
        ],
        [],
    ),
    "refused_reassessment": (
        "my son has had his ehcp for years, his needs have changed loads but the LA refuse to do a reassessment",
        ["new assessment", "SEND35", *DEADLINE, TRIBUNAL_URL, "mediation certificate"],
        ["SEND35a"],
    ),
    "refused_ehc_plan": (
        "they did all the assessments with the ed psych and everything then decided not to issue a plan",
        ["decided not to issue an Education, Health and Care (EHC) plan", "SEND35", *DEADLINE, TRIBUNAL_URL, ADVISER],
        ["SEND35a"],
    ),
    "disagree_plan_content": (
        "the draft ehcp section F is so vague, it just says access to support, no hours at all",
        [
            "what the Education, Health and Care (EHC) plan says",
            "You can also ask for disagreement resolution",
            "If the plan is still a draft, you cannot appeal it yet",
            *DEADLINE,
            TRIBUNAL_URL,
            ADVISER,
        ],
        [],
    ),
    "disagree_placement": (
        "the plan names a mainstream secondary but we want a specialist school for him",
        [
            "school or college named in the Education, Health and Care (EHC) plan",
            "do not need a mediation certificate",
            *DEADLINE,
            TRIBUNAL_URL,
        ],
        ["you must contact the mediation adviser"],
    ),
    "refused_amendment": (
        "had her annual review in march and the council now say they wont amend the plan at all",
        [
            "will not change the Education, Health and Care (EHC) plan after the annual review",
            *DEADLINE,
            TRIBUNAL_URL,
            "You can also ask for disagreement resolution",
            "Tell them you want to appeal, and whether you want mediation",
        ],
        [],
    ),
    "plan_ceasing": (
        "got a letter saying they intend to cease my daughters ehc plan",
        [
            "stop (cease) the Education, Health and Care (EHC) plan",
            "You can appeal once the council decides",
            "keep the plan in place until the appeal ends",
            *DEADLINE,
        ],
        [],
    ),
    "disagree_duties": (
        "his plan says weekly speech therapy but the school havent provided a single session since september",
        [
            "support written in an Education, Health and Care (EHC) plan is not being given",
            "section F",
            "Write to your EHC case officer",
            "complain to the council",
            "Ombudsman",
            "judicial review",
            PRIME,
        ],
        [TRIBUNAL_URL, "SEND35", "complaints procedure of the school"],
    ),
    "missed_deadline": (
        "we sent the request for an ehc assessment in the autumn and 4 months on the council still hasnt decided anything",
        [
            "missed a legal time limit",
            "6 weeks from a request",
            "20 weeks from the request",
            "complain to the council",
            "Ombudsman",
        ],
        [TRIBUNAL_URL, "SEND35"],
    ),
    "disability_discrimination": (
        "my son keeps getting sent home from school because of his autism related behaviour, its discrimination",
        ["disability discrimination", "SEND4A", "within 6 months, starting with the day it happened", "county court"],
        [TRIBUNAL_URL, "SEND35"],
    ),
    "disagree_sen_provision": (
        "the senco says my daughter doesnt need any extra help in class even though shes falling behind with reading",
        [
            "special needs support",
            "SENCO",
            "disagreement resolution",
            "complaints procedure",
            "Department for Education",
            "needs assessment yourself",
        ],
        [TRIBUNAL_URL, "SEND35"],
    ),
    "disagree_health_social_care": (
        "during the ehc assessment the social worker cut our short breaks and we dont agree",
        [
            "health or social care",
            "PALS",
            "Ombudsman",
            "disagreement resolution",
            "cannot hear an appeal about health or social care on its own",
            ADVISER,
        ],
        [TRIBUNAL_URL, "SEND35"],
    ),
    "complaint_council": (
        "i want to complain about how rude the officer at the council was to me on the phone",
        ["council's own service", "contact form", "0300 061 0614"],
        [TRIBUNAL_URL],
    ),
}


def texts(replies):
    return "\n".join(r.get("text") or "" for r in replies)


def buttons(replies):
    return [b["payload"] for r in replies for b in r.get("buttons") or []]


@pytest.mark.parametrize("disagreement", sorted(FIRST_MESSAGES))
def test_first_reply_names_the_routes(servers, sender, disagreement):
    message, must, must_not = FIRST_MESSAGES[disagreement]
    replies = servers.talk(sender, message)
    assert "automated assistant" in replies[0]["text"], "the opening says it is automated"
    assert "names, dates of birth or case numbers" in replies[0]["text"]
    text = texts(replies)
    for phrase in must:
        assert phrase in text, f"{phrase!r} missing from:\n{text}"
    for phrase in must_not:
        assert phrase not in text, f"{phrase!r} should not be in:\n{text}"
    assert buttons(replies), "the routes come with next-question buttons"


def test_follow_ups_are_answered_for_the_disagreement_without_asking_again(servers, sender):
    servers.talk(sender, "the LA have turned down our request for an ehcna")
    deadline = texts(servers.talk(sender, "how long have i got?"))
    assert "SEND35a" in deadline and all(d in deadline for d in DEADLINE)
    assert "free" in texts(servers.talk(sender, "do i have to pay for any of it"))
    contact = texts(servers.talk(sender, "whats their phone number"))
    assert "01325 289 350" in contact or EHC_TEAM in contact


def test_how_long_do_i_have_and_a_lost_letter_after_a_refusal(servers, sender):
    servers.talk(sender, "the la wont do a new assessment of my daughters plan even though everything has changed")
    deadline = texts(
        servers.talk(sender, "the letter saying no came about seven weeks back, is it too late for us now?")
    )
    assert ADVISER in deadline and "not the day it arrived" in deadline and "7 weeks, do not wait" in deadline
    assert "SEND35" in deadline and "tribunal's decision" in deadline
    lost = texts(servers.talk(sender, "i binned the letter by accident so i dont know what date it was"))
    assert "copy" in lost and "the date it was sent" in lost


def test_how_long_do_i_have_when_there_is_no_tribunal(servers, sender):
    servers.talk(sender, "the 1:1 in section f of his ehcp hasnt been provided all term")
    text = texts(servers.talk(sender, "whats the deadline for this"))
    assert "There is no tribunal deadline for this" in text and DEADLINE[0] not in text


@pytest.mark.parametrize(
    "message, phrases",
    [
        (
            "we just got sent the draft ehcp, how long have we got to reply and can we pick the school",
            ["at least 15 days", "particular school or college", "You cannot appeal a draft"],
        ),
        (
            "im 17 now, am i allowed to appeal by myself or does my dad do it",
            ["last Friday in June", "own right to appeal", "deputy or attorney"],
        ),
        (
            "who actually turns up to the mediation meeting and can i take someone with me",
            ["someone from the council", "You can bring a supporter", "written down"],
        ),
        ("do we really have to go to mediation", ["You do not have to go: mediation is your choice", ADVISER]),
    ],
)
def test_the_questions_families_ask(servers, sender, message, phrases):
    text = texts(servers.talk(sender, message))
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} missing from:\n{text}"


def test_placement_follow_up_on_mediation(servers, sender):
    servers.talk(sender, "they named a school in section I that cant meet his needs")
    assert "do not need a mediation certificate" in texts(servers.talk(sender, "do i have to go to mediation first?"))


def test_buttons_work_as_next_questions(servers, sender):
    replies = servers.talk(sender, "council refused to carry out an ehc needs assessment for my daughter")
    assert "/ask_mediation" in buttons(replies)
    mediation = texts(servers.talk(sender, "/ask_mediation"))
    assert "mediation certificate" in mediation and "3 working days" in mediation
    assert "01922 650330" in texts(servers.talk(sender, "/ask_sendias"))


def test_mediation_versus_disagreement_resolution(servers, sender):
    text = texts(servers.talk(sender, "whats the difference between mediation and disagreement resolution"))
    assert "informal" in text and "formally linked to appeals to a tribunal" in text and "Prime Resolution" in text
    assert "everyone must agree to take part" in text and "the council must take part" in text


def test_crisis_pre_empts_the_conversation_and_the_conversation_continues(servers, sender):
    servers.talk(sender, "the council says they will stop his ehcp next year")
    crisis = servers.talk(sender, "he told me last night he wants to kill himself")
    assert_crisis_first(crisis)
    text = texts(crisis)
    assert text.index("999") < text.index("NHS 111") < text.index("0800 1111")
    assert "116 123" in text and "85258" in text
    # the disagreement is still remembered after the crisis reply
    after = texts(servers.talk(sender, "how do i appeal"))
    assert "keep the plan" in after or "SEND35" in after


def test_crisis_in_the_same_message_as_a_dispute_comes_first(servers, sender):
    replies = servers.talk(sender, "they refused to assess her and now shes been cutting her arms again")
    assert_crisis_first(replies)
    assert "SEND35a" not in texts(replies), "the crisis reply comes first, alone"


# A parent pastes a long account; the danger is in its last words (issue 10: it
# used to get "please send it in shorter parts" and no emergency numbers).
LONG_ACCOUNT = (
    "I want to explain everything that has happened since the annual review in March, because the "
    "council keep saying they never got our letters and the school says it is not their job. "
    * 18
    + "And tonight he locked himself in the bathroom and he has a knife"
)


def test_a_long_account_ending_in_danger_gets_the_crisis_reply(servers, sender):
    assert len(LONG_ACCOUNT) >= 3000
    servers.talk(sender, "the council says they will stop his ehcp next year")
    replies = servers.talk(sender, LONG_ACCOUNT)
    assert_crisis_first(replies)
    assert [r.get("text") for r in replies] == [replies[0]["text"], TOO_LONG]  # and why the rest was not read
    # Rasa was told too: the turn is stored as a crisis, and the conversation goes on.
    path = servers.database_url.replace("sqlite:///", "")
    with sqlite3.connect(path) as db:
        intents = [
            row[0]
            for row in db.execute(
                "select intent_name from events where sender_id = ? and type_name = 'user'", (conversation_id(sender),)
            )
        ]
    assert intents[-1] == "crisis"
    assert "using form SEND35." in texts(servers.talk(sender, "how do i appeal"))  # still the plan ending


@pytest.mark.parametrize(
    "message",
    [
        "hello",
        "are you a robot",
        "can i speak to an actual person",
        "what is disagreement resolution",
        "should i pay a send advocate",
        "who are prime resolution",
        "thanks that helps",
        "bye",
    ],
)
def test_every_other_intent_gets_a_reply(servers, sender, message):
    replies = servers.talk(sender, message)
    assert texts(replies).strip()
    assert_no_apology(replies)


def test_out_of_scope_points_to_the_council(servers, sender):
    assert "01922 650000" in texts(servers.talk(sender, "when do the bins get collected on my street"))
