"""Personal details never reach the conversation store (enquiries/redaction.py, tracker_store.py)."""
import pytest

from enquiries.redaction import contains_personal_details, redact
from enquiries.tracker_store import redact_event


@pytest.mark.parametrize("typed, label", [
    ("call me on 07700 900123", "[phone]"),
    ("my number is +44 7700 900123", "[phone]"),
    ("mum@example.co.uk", "[email]"),
    ("NHS number 485 777 3456", "[NHS number]"),
    ("we live in WS1 1TP", "[postcode]"),
    ("postcode b6 7ht", "[postcode]"),
    ("born 03/04/2015", "[date]"),
    ("his birthday is 3rd April 2015", "[date]"),
    ("dob April 3, 2015", "[date]"),
])
def test_personal_details_are_replaced(typed, label):
    assert label in redact(typed)
    assert contains_personal_details(typed)


@pytest.mark.parametrize("typed", [
    "the council refused to assess my son",
    "how long do I have to appeal? is it 2 months",
    "form SEND35a",
    "my reference is WS-7K3QX",
    "she is 7 and in year 3",
])
def test_ordinary_messages_are_left_alone(typed):
    assert redact(typed) == typed


def test_a_stored_user_event_loses_its_details_and_the_whatsapp_number():
    event = {
        "event": "user", "text": "ring me on 07700 900123",
        "metadata": {"whatsapp_number": "+447700900123", "model_id": "m"},
        "parse_data": {"text": "ring me on 07700 900123", "metadata": {"whatsapp_number": "+447700900123"}},
    }
    stored = str(redact_event(event))
    assert "900123" not in stored and "[phone]" in stored and "model_id" in stored


def test_the_session_start_metadata_slot_loses_the_whatsapp_number():
    event = {"event": "slot", "name": "session_started_metadata",
             "value": {"whatsapp_number": "+447700900123", "model_id": "m"}}
    assert redact_event(event)["value"] == {"model_id": "m"}
