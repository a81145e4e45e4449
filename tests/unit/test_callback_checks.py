"""The callback request checks and replies (advice/callback.py), without Rasa."""

import datetime as dt

import pytest

from advice import callback, office_hours
from advice.content import get_content

CONTENT = get_content()


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("07700 900123", "07700900123"),
        ("07700-900-123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700 900123", "07700900123"),
        ("01922 652871", "01922652871"),
        ("(01922) 652871", "01922652871"),
        ("020 7946 0018", "02079460018"),
        ("0300 061 0614", "03000610614"),
    ],
)
def test_uk_phone_numbers_in_the_ways_people_type_them(typed, stored):
    assert callback.normalise_uk_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "0770 090",
        "077009001234",
        "7700 900123",
        "+1 212 555 0100",
        "09098 790000",
        "phone me",
        "",
        "00000000000",
        "0800 1111",
    ],
)
def test_not_uk_phone_numbers(typed):
    assert callback.normalise_uk_phone(typed) is None


@pytest.mark.parametrize(
    "typed, ok",
    [
        ("mum@example.com", True),
        (" Mum.Smith+send@example.co.uk. ", True),
        ("mum at example dot com", False),
        ("mum@example", False),
        ("@example.com", False),
        ("a b@example.com", False),
        ("", False),
    ],
)
def test_email_addresses(typed, ok):
    assert (callback.normalise_email(typed) is not None) is ok


@pytest.mark.parametrize(
    "typed, whatsapp, method",
    [
        ("Phone", False, "phone"),
        ("can you ring me", False, "phone"),
        ("email please", False, "email"),
        ("e-mail", False, "email"),
        ("WhatsApp, on this number", True, "whatsapp"),
        ("whatsapp", False, None),
        ("by pigeon", False, None),
    ],
)
def test_contact_methods(typed, whatsapp, method):
    assert callback.parse_method(typed, whatsapp_allowed=whatsapp) == method


@pytest.mark.parametrize(
    "typed, reference",
    [
        ("cancel WS-7K3Q-X9PM", "WS-7K3Q-X9PM"),
        ("please cancel ws7k3qx9pm thanks", "WS-7K3Q-X9PM"),
        ("cancel ws 7k3q x9pm", "WS-7K3Q-X9PM"),
        ("my reference is Ws-h8j2-k4mn", "WS-H8J2-K4MN"),
        ("cancel my request", None),
        ("WS-1O0I-1O0I", None),
        # references made before they were lengthened
        ("cancel WS-7K3QX", "WS-7K3QX"),
        ("my reference is Ws-h8j2k", "WS-H8J2K"),
        ("WS-1O0I1", None),
    ],
)
def test_references(typed, reference):
    assert callback.extract_reference(typed) == reference


def test_answers_are_kept_short_and_on_one_line():
    assert callback.short_text("  mornings\n\n after   school ", 100) == "mornings after school"
    assert len(callback.short_text("x" * 500, callback.MAX_TOPIC_CHARS)) == callback.MAX_TOPIC_CHARS


def test_consent_says_what_is_kept_who_sees_it_and_for_how_long():
    text = callback.consent_text(CONTENT, 30)
    assert "30 days" in text and "SEND team" in text and "cancel" in text


def test_out_of_hours_talk_offers_a_callback_and_still_gives_the_numbers():
    closed = "The EHC Assessment Team is closed now. It opens again on Monday at 9am."
    [message] = callback.talk_reply(CONTENT, "refused_assessment", [(closed, False)], False)
    assert closed in message.text and "automated" in message.text
    assert "01922 652871" in message.text and "01922 650330" in message.text
    assert [b.payload for b in message.buttons] == ["/request_callback", "/deny"]


def test_in_hours_talk_gives_the_people_first():
    open_now = "The EHC Assessment Team is open now, until 5pm."
    [message] = callback.talk_reply(CONTENT, None, [(open_now, True)], True)
    assert message.text.index("01922 652871") < message.text.index("callback")
    assert [b.payload for b in message.buttons] == ["/request_callback"]


def test_whatsapp_is_offered_only_on_whatsapp():
    web = callback.ask_reply(CONTENT, "contact_method")
    wa = callback.ask_reply(CONTENT, "contact_method", whatsapp_allowed=True)
    assert [b.payload for b in web[0].buttons] == ["phone", "email"]
    assert "whatsapp" in [b.payload for b in wa[0].buttons]


def test_done_gives_the_reference_and_how_to_cancel():
    [message] = callback.done_reply(CONTENT, "WS-7K3Q-X9PM", "The EHC Assessment Team is closed now.", False)
    assert "WS-7K3Q-X9PM" in message.text and "cancel WS-7K3Q-X9PM" in message.text


# --- The independent review of every reply (handoff/review/replies_review.md) ----

SATURDAY_EVENING = dt.datetime(2026, 12, 5, 20, 0, tzinfo=office_hours.london())
WEDNESDAY_MORNING = dt.datetime(2026, 12, 2, 11, 0, tzinfo=office_hours.london())


def test_review_14_unconfirmed_opening_hours_are_always_shown_as_unconfirmed():
    note = CONTENT.callback["hours_unverified"]
    assert "to be confirmed" in note
    for now, said in ((SATURDAY_EVENING, "opens again on Monday at 9am"), (WEDNESDAY_MORNING, "open now")):
        sentence, _ = callback.status_sentence(CONTENT, "ehc_team", now)
        assert said in sentence and sentence.endswith(note)
    # The replies a reviewer reads (docs/replies.md) are rendered the same way.
    from advice.catalogue import all_replies

    shown = {name: "\n".join(m.text for m in messages) for name, messages in all_replies(CONTENT)}
    for name in ("talk:in_hours", "talk:out_of_hours", "done", "done_open"):
        assert note in shown[name], name
    assert shown["talk:in_hours"].count(note) == 1  # said once after all the services' hours
    assert "They will see your request today" not in "\n".join(shown.values())


@pytest.mark.parametrize(
    "disagreement, expected",
    [
        (
            "refused_assessment",
            "Waiting for a call does not stop your time limits. Contact the mediation adviser "
            "within 2 months of the date on the decision letter.",
        ),
        ("disagree_placement", "Waiting for a call does not stop your time limit to appeal."),
        (
            "disagree_health_social_care",
            "If you might also appeal a council decision, waiting for a call does not stop",
        ),
        ("complaint_council", "If you might also appeal a council decision, waiting for a call does not stop"),
    ],
)
def test_review_15_waiting_for_a_call_does_not_stop_the_clocks(disagreement, expected):
    closed, _ = callback.status_sentence(CONTENT, "ehc_team", SATURDAY_EVENING)
    [talk] = callback.talk_reply(CONTENT, disagreement, [(closed, False)], False)
    [done] = callback.done_reply(CONTENT, "WS-7K3Q-X9PM", closed, False, disagreement)
    for message in (talk, done):
        assert expected in message.text
        assert "The decision letter is the council's letter telling you its decision." in message.text
    assert done.text.index(expected) < done.text.index("To cancel it")


@pytest.mark.parametrize("disagreement", [None, "disagree_duties", "missed_deadline", "disagree_sen_provision"])
def test_review_15_no_clock_warning_where_nothing_can_be_appealed(disagreement):
    [done] = callback.done_reply(CONTENT, "WS-7K3Q-X9PM", "", True, disagreement)
    assert "Waiting for a call" not in done.text and "waiting for a call" not in done.text
