"""Personal details never reach the conversation store (storage/redaction.py, tracker_store.py).

Each case asserts the exact output, so a pattern that keeps one digit too
many (``call me on [phone]3``) fails; and every stored form is searched for
any run of 4 or more digits of the input. The blind corpus is in
tests/privacy/test_redaction_corpus.py.
"""

import json
import re

import pytest

from storage.redaction import contains_personal_details, normalise, redact
from storage.tracker_store import blank_answer, redact_event


def digit_runs(text: str, length: int = 4) -> set:
    """Every run of ``length`` digits in ``text``, spaces and punctuation between digits removed."""
    runs = set()
    for group in re.findall(r"\d(?:[\s.\-/()]{0,2}\d)*", normalise(text)):
        digits = re.sub(r"\D", "", group)
        runs |= {digits[i : i + length] for i in range(len(digits) - length + 1)}
    return runs


CASES = [
    # phones, in the ways the callback form accepts them and people type them
    ("call me on 07700 900123", "call me on [phone]"),
    ("my number is +44 7700 900123", "my number is [phone]"),
    ("(07700) 900123", "[phone]"),
    ("447700900123", "[phone]"),
    ("07700.900.123", "[phone]"),
    ("07700  900123", "[phone]"),
    ("home (01922) 634817", "home [phone]"),
    ("+44 (0) 7700 900123", "[phone]"),
    ("0044 7700 900123", "[phone]"),
    ("0 7 7 0 0 9 0 0 1 2 3", "[phone]"),
    ("０７７００ ９００１２３", "[phone]"),  # full-width digits
    ("07700\u00ad900\u200b123", "[phone]"),  # a soft hyphen and a zero-width space
    ("mob07700900123", "mob[phone]"),
    ("ring 07700-900-123 after 3", "ring [phone] after 3"),
    # emails
    ("mum@example.co.uk", "[email]"),
    ("jo.bloggs@gmail", "[email]"),
    ("jo bloggs at gmail dot com", "[email]"),
    ("jo.bloggs (at) gmail (dot) co (dot) uk", "[email]"),
    ("email me on jobloggs at hotmail dot co dot uk please", "email me on [email] please"),
    # NHS, NI, case references
    ("NHS number 485 777 3456", "NHS number [NHS number]"),
    ("nhs no 943.476.5919", "nhs no [NHS number]"),
    ("NI number QQ 12 34 56 C", "NI number [NI number]"),
    ("his case number is EHC/2024/00123", "his case number is [case reference]"),
    ("our case number is 2023/SEN/7781", "our case number is [case reference]"),
    # postcodes
    ("we live in WS1 1TP", "we live in [postcode]"),
    ("postcode b6 7ht", "postcode [postcode]"),
    ("W S 1 1 T P", "[postcode]"),
    ("WS2-8NG", "[postcode]"),
    # dates of birth
    ("born 03/04/2015", "born [date]"),
    ("his birthday is 3rd April 2015", "his birthday is [date]"),
    ("dob April 3, 2015", "dob [date]"),
    ("dob 2015-03-03", "dob [date]"),
    ("born 3 Mar 15", "born [date]"),
    ("born March 2015", "born [date]"),
    ("he was born on the 3rd of March, 2015", "he was born on the [date]"),
    # names and addresses, in their common shapes
    ("my son Jack has autism", "my son [name] has autism"),
    ("my son jack has autism", "my son [name] has autism"),
    ("my daughter Amelia-Rose Smith, 7, is in year 3", "my daughter [name], 7, is in year 3"),
    ("her name is Poppy", "her name is [name]"),
    ("I spoke to Mrs Patel the SENCO", "I spoke to Mrs [name] the SENCO"),
    ("we live at 12 Park Road, Walsall", "we live at [address], Walsall"),
    ("flat 3, 14 Birchills Street", "[address], [address]"),
]


@pytest.mark.parametrize("typed, stored", CASES)
def test_personal_details_are_replaced_exactly(typed, stored):
    assert redact(typed) == stored
    assert contains_personal_details(typed)
    # No run of 4 digits of what was typed is left (3 is fine: "after 3", "year 3").
    assert not digit_runs(typed) & digit_runs(redact(typed))


@pytest.mark.parametrize(
    "typed",
    [
        "the council refused to assess my son",
        "how long do I have to appeal? is it 2 months",
        "form SEND35a",
        "my reference is WS-7K3Q-X9PM",
        "she is 7 and in year 3",
        "my son is autistic",
        "my son really struggles at school",
        "we have 2 kids at school road",
        "the annual review was in March 2025",
        "between 2019 and 2024",
        "it costs £10,000 a year",
        # a service's own number or address is not the family's
        "I rang the tribunal on 01325 289 350",
        "I emailed sendistqueries@justice.gov.uk last week",
        "Your named case officer works there",
    ],
)
def test_ordinary_messages_are_left_alone(typed):
    assert redact(typed) == typed
    assert not contains_personal_details(typed)


def test_normalising_removes_invisible_characters():
    assert normalise("ki\u00adll\u200b him\u034fself\ufe0f") == "kill himself"
    assert normalise("０７７") == "077"


def test_a_stored_user_event_loses_its_details_and_the_whatsapp_number():
    event = {
        "event": "user",
        "text": "ring me on 07700 900123",
        "metadata": {"whatsapp_number": "+447700900123", "model_id": "m"},
        "parse_data": {"text": "ring me on 07700 900123", "metadata": {"whatsapp_number": "+447700900123"}},
    }
    stored = redact_event(event)
    assert stored["text"] == stored["parse_data"]["text"] == "ring me on [phone]"
    assert stored["metadata"] == {"model_id": "m"} and stored["parse_data"]["metadata"] == {}
    assert not digit_runs("07700 900123") & digit_runs(json.dumps(stored))


def test_the_session_start_metadata_slot_loses_the_whatsapp_number():
    event = {
        "event": "slot",
        "name": "session_started_metadata",
        "value": {"whatsapp_number": "+447700900123", "model_id": "m"},
    }
    assert redact_event(event)["value"] == {"model_id": "m"}


def test_a_form_answer_slot_is_never_stored_with_its_value():
    event = {"event": "slot", "name": "contact_detail", "value": "07700900123"}
    assert redact_event(event)["value"] == "[draft]"
    assert redact_event({"event": "slot", "name": "contact_detail", "value": None})["value"] is None
    assert redact_event({"event": "slot", "name": "contact_method", "value": "phone"})["value"] == "phone"


def test_a_form_answer_message_is_blanked_with_its_entities():
    event = {
        "event": "user",
        "text": "jo.bloggs at gmail dot com",
        "parse_data": {
            "text": "jo.bloggs at gmail dot com",
            "intent": {"name": "inform"},
            "entities": [{"entity": "email", "value": "jo.bloggs@gmail.com", "start": 0, "end": 9}],
        },
    }
    stored = json.dumps(blank_answer(redact_event(event)))
    assert "bloggs" not in stored and "gmail" not in stored
    assert '"inform"' in stored  # the intent is kept
