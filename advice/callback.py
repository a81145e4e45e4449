"""Callback requests and "talk to someone": plain functions, no Rasa.

The callback form (actions/callback_actions.py) asks one thing at a time. The
checks here decide whether an answer is usable: a UK phone number, an email
address, a contact method, a reference to cancel. They are strict enough to
catch typos, because a wrong number means a family waits for a call that never
comes, and lenient about spacing and punctuation, because people type numbers
in many ways.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, List, Optional, Sequence, Tuple

from advice import office_hours
from advice.content import Content
from advice.replies import Button, Message, contact_lines, contacts_for

FORM_SLOTS = ("callback_topic", "contact_method", "contact_detail", "good_time", "consent")
# Questions a family may answer with personal details (a number typed at the
# contact method question answers it too): the widget does not keep those answers.
PERSONAL_ANSWERS = ("callback_topic", "contact_method", "contact_detail", "good_time")
MAX_TOPIC_CHARS = 200
MAX_TIME_CHARS = 100

# 01 and 02 landlines (10 or 11 digits), 03 non-geographic, 07 mobiles.
_UK_PHONE = re.compile(r"^0(?:1\d{8,9}|2\d{9}|3\d{9}|7\d{9})$")
_PHONE_CHARS = re.compile(r"[\s\-().]")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_REF_CHARS = "[a-hj-np-z2-9]"
# WS-7K3Q-X9PM, typed with or without the dashes, in any case; and the older WS-7K3QX.
_REFERENCE = re.compile(
    rf"\bws[\s-]?({_REF_CHARS}{{4}})[\s-]?({_REF_CHARS}{{4}})\b|\bws-?({_REF_CHARS}{{5}})\b",
    re.IGNORECASE,
)

_METHOD_WORDS = (
    ("whatsapp", re.compile(r"\b(whats ?app|this number|wa)\b", re.I)),
    ("email", re.compile(r"\b(e-?mail|mail)\b", re.I)),
    ("phone", re.compile(r"\b(phone|call|ring|mobile|telephone|tel|landline|number)\b", re.I)),
)


def normalise_uk_phone(text: str) -> Optional[str]:
    """'+44 (0)7700-900 123' -> '07700900123'; None if it is not a UK number."""
    digits = _PHONE_CHARS.sub("", (text or "").replace("(0)", ""))
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    digits = digits.lstrip("+")
    if digits.startswith("00"):
        return None
    if digits.startswith("44") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _UK_PHONE.match(digits) else None


def normalise_email(text: str) -> Optional[str]:
    """The address trimmed, or None if it does not look like one."""
    candidate = (text or "").strip().strip(".,;")
    if len(candidate) > 254 or not _EMAIL.match(candidate):
        return None
    return candidate


def parse_method(text: str, whatsapp_allowed: bool) -> Optional[str]:
    """'phone', 'email' or 'whatsapp' from a button or the family's words."""
    for method, pattern in _METHOD_WORDS:
        if pattern.search(text or ""):
            if method == "whatsapp" and not whatsapp_allowed:
                continue
            return method
    return None


def extract_reference(text: str) -> Optional[str]:
    """'cancel ws7k3qx9pm' -> 'WS-7K3Q-X9PM' (and the older 'ws7k3qx' -> 'WS-7K3QX')."""
    match = _REFERENCE.search(text or "")
    if not match:
        return None
    if match.group(3):
        return f"WS-{match.group(3).upper()}"
    return f"WS-{match.group(1).upper()}-{match.group(2).upper()}"


def short_text(text: str, limit: int) -> str:
    """One line, at most ``limit`` characters (for the topic and good time)."""
    one_line = " ".join((text or "").split())
    return one_line[:limit].rstrip()


def capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


def status_sentence(content: Content, service_id: str, now: dt.datetime) -> Tuple[str, bool]:
    """('The EHC Assessment Team is closed now. It opens again ... (Opening hours to be confirmed.)', is_open).

    Hours nobody has confirmed (content/hours.yml, ``verified: false``) are
    always followed by the ``hours_unverified`` note: they are an assumption.
    """
    status = office_hours.opening_status(service_id, now)
    name = capitalised(content.services[service_id].short_name)
    note = content.callback["hours_unverified"]
    return office_hours.describe(status, name, now, unverified_note=note), status.is_open


def waiting_note(content: Content, disagreement: Optional[str]) -> Optional[str]:
    """Where the family may appeal: waiting for a call does not stop the time limits."""
    spec = content.disagreements.get(disagreement or "")
    if spec is None:
        return None
    appeal = spec.get("appeal")
    texts = content.topics["waiting"]
    if appeal:
        return content.render(texts["certificate" if appeal["certificate_needed"] else "placement"])
    if spec.get("linked_appeal"):
        return content.render(texts["linked"])
    return None


def talk_reply(
    content: Content,
    disagreement: Optional[str],
    statuses: Sequence[Tuple[str, bool]],
    team_open: bool,
) -> List[Message]:
    """'I want to talk to someone': who can help, whether they are open, and a callback offer.

    ``statuses`` is one (sentence, is_open) pair per service with known hours,
    e.g. ("The EHC Assessment Team is closed now. It opens again on Monday at 9am.", False).
    ``team_open`` is whether the team that takes callback requests is open.
    """
    texts = content.callback["talk"]
    status_text = " ".join(sentence for sentence, _ in statuses)
    note = content.callback["hours_unverified"]
    if len(statuses) > 1 and all(sentence.endswith(note) for sentence, _ in statuses):
        # Every service's hours are unconfirmed: say so once, after them all.
        status_text = " ".join(sentence[: -len(note)].strip() for sentence, _ in statuses) + " " + note
    offer = Button(content.button_title("request_callback"), "/request_callback")
    contacts = contact_lines(content, contacts_for(content, disagreement))
    lines = [content.render(texts["in_hours" if team_open else "out_of_hours"], status=status_text)]
    waiting = waiting_note(content, disagreement)
    if waiting:
        lines.append(waiting)
    if team_open:
        lines += contacts + [content.render(texts["offer_in_hours"])]
        return [Message("\n".join(lines), (offer,))]
    lines += [content.render(texts["offer"])] + contacts
    no_thanks = Button(content.callback["no_thanks"], "/deny")
    return [Message("\n".join(lines), (offer, no_thanks))]


def ask_reply(
    content: Content,
    slot: str,
    label: Optional[str] = None,
    method: Optional[str] = None,
    whatsapp_allowed: bool = False,
    days: int = 30,
) -> List[Message]:
    """The form's question for one slot, marked when its answer may hold personal details."""
    messages = _question(content, slot, label, method, whatsapp_allowed, days)
    if slot in PERSONAL_ANSWERS:
        messages = [dataclasses.replace(m, asks_personal_detail=True) for m in messages]
    return messages


def _question(
    content: Content,
    slot: str,
    label: Optional[str],
    method: Optional[str],
    whatsapp_allowed: bool,
    days: int,
) -> List[Message]:
    """The form's question for one slot, with buttons where a choice helps."""
    ask, texts = content.callback["ask"], content.callback
    if slot == "callback_topic":
        if label:
            return [Message(content.render(ask["topic_known"], label=label), (Button(label, "/affirm"),))]
        return [Message(content.render(ask["topic"]))]
    if slot == "contact_method":
        methods = [m for m in texts["method_buttons"] if m != "whatsapp" or whatsapp_allowed]
        return [
            Message(
                content.render(ask["contact_method"]), tuple(Button(texts["method_buttons"][m], m) for m in methods)
            )
        ]
    if slot == "contact_detail":
        key = "contact_detail_email" if method == "email" else "contact_detail_phone"
        return [Message(content.render(ask[key]))]
    if slot == "good_time":
        return [Message(content.render(ask["good_time"]), tuple(Button(t, t) for t in texts["time_buttons"]))]
    if slot == "consent":
        labels = texts["consent_buttons"]
        return [
            Message(
                consent_text(content, days), (Button(labels["agree"], "/affirm"), Button(labels["decline"], "/deny"))
            )
        ]
    raise ValueError(f"no question for slot {slot}")


def consent_text(content: Content, days: int) -> str:
    """Exactly what the family agrees to; stored with the request as the record of consent."""
    return content.render(content.callback["ask"]["consent"], days=str(days))


def done_reply(
    content: Content, reference: str, status: str, team_open: bool, disagreement: Optional[str] = None
) -> List[Message]:
    """The request is saved: its reference, when the team will see it, how to cancel it;
    and, where the family may appeal, that waiting for the call does not stop the clocks."""
    when = " ".join(
        part
        for part in (
            status,
            content.render(content.callback["done_open" if team_open else "done_closed"]),
            waiting_note(content, disagreement),
        )
        if part
    )
    return [Message(content.render(content.callback["done"], reference=reference, when=when))]


def plain_reply(content: Content, *path: str, **values: str) -> List[Message]:
    """A fixed text from content/callback.yml, e.g. plain_reply(content, "cancel", "how")."""
    node: Any = content.callback
    for key in path:
        node = node[key]
    return [Message(content.render(node, **values))]


def all_callback_replies(content: Content) -> List[Tuple[str, List[Message]]]:
    """Every callback reply, for the content checks (as catalogue.all_replies)."""
    # Rendered from content/hours.yml as the assistant does: a Wednesday
    # morning and a Saturday evening (both away from bank holidays).
    london = office_hours.london()
    wednesday = dt.datetime(2026, 12, 2, 11, 0, tzinfo=london)
    saturday = dt.datetime(2026, 12, 5, 20, 0, tzinfo=london)
    team = content.callback["service"]

    def statuses(disagreement: Optional[str], now: dt.datetime) -> List[Tuple[str, bool]]:
        return [
            status_sentence(content, s, now) for s in contacts_for(content, disagreement) if office_hours.has_hours(s)
        ]

    open_now, _ = status_sentence(content, team, wednesday)
    closed, _ = status_sentence(content, team, saturday)
    out = [
        ("talk:in_hours", talk_reply(content, None, statuses(None, wednesday), True)),
        (
            "talk:out_of_hours",
            talk_reply(content, "refused_assessment", statuses("refused_assessment", saturday), False),
        ),
        (
            "talk:out_of_hours:placement",
            talk_reply(content, "disagree_placement", statuses("disagree_placement", saturday), False),
        ),
        (
            "talk:out_of_hours:complaint",
            talk_reply(content, "complaint_council", statuses("complaint_council", saturday), False),
        ),
        ("done", done_reply(content, "WS-7K3Q-X9PM", closed, False)),
        ("done:refused_assessment", done_reply(content, "WS-7K3Q-X9PM", closed, False, "refused_assessment")),
        ("done_open", done_reply(content, "WS-7K3Q-X9PM", open_now, True)),
    ]
    for slot in FORM_SLOTS:
        out.append((f"ask:{slot}", ask_reply(content, slot, method="phone", whatsapp_allowed=True)))
    out.append(("ask:callback_topic:known", ask_reply(content, "callback_topic", label="A refused assessment")))
    out.append(("ask:contact_detail:email", ask_reply(content, "contact_detail", method="email")))
    for path in (
        ("invalid", "contact_method"),
        ("invalid", "phone"),
        ("invalid", "email"),
        ("invalid", "consent"),
        ("no_consent",),
        ("stopped",),
        ("stopped_nothing",),
        ("store_down",),
        ("draft_lost",),
        ("cancel", "how"),
        ("cancel", "store_down"),
        ("cancel", "done"),
        ("my_data", "down"),
    ):
        out.append((":".join(path), plain_reply(content, *path, reference="WS-7K3Q-X9PM")))
    out.append(("my_data", my_data_reply(content, "K7Q2XY", 30)))
    return out


def my_data_reply(content: Content, code: str, days: int) -> List[Message]:
    """'What is my conversation code?': the code, how long the chat is kept, how to see or erase it."""
    return [Message(content.render(content.callback["my_data"]["text"], code=code, days=str(days)))]
