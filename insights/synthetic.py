"""Synthetic conversations, written as Rasa's SQL tracker store writes them, with the truth about them.

The report is tested against figures known in advance: this generator plays
conversations (a realistic mix of channels, hours, disagreements, follow-up
questions, fallbacks, callbacks, crises and feedback answers), turns each into
the events Rasa would store, in Rasa's own format (checked against the real
tracker store by tests/unit/test_report_synthetic.py), and counts, as it goes,
what the report should find (:class:`Truth`). The report's SQL never sees the
truth; the tests compare the two.

``personal=True`` puts a name, a phone number and an email address in every
message a family sends, for the privacy test. Events are redacted as the
production store redacts them (storage.tracker_store.redact_event).

``scripts/synthetic_conversations.py`` (``make synthetic``) writes 100,000
conversations, about a million events, for timing the report.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from insights.period import LONDON, Period

META = {"model_id": "5ynth371c0000000000000000000000", "assistant_id": "walsall-send-disagreements"}
CHANNELS = (("socketio", 0.55), ("whatsapp", 0.30), ("rest", 0.15))
DISAGREEMENTS = (
    ("refused_assessment", 18),
    ("disagree_sen_provision", 16),
    ("disagree_duties", 14),
    ("disagree_plan_content", 12),
    ("disagree_placement", 10),
    ("refused_ehc_plan", 6),
    ("complaint_council", 6),
    ("plan_ceasing", 5),
    ("refused_amendment", 5),
    ("disagree_health_social_care", 5),
    ("refused_reassessment", 3),
)
QUESTIONS = (
    ("ask_tribunal", 20),
    ("ask_mediation", 14),
    ("ask_deadline", 14),
    ("ask_cost", 10),
    ("contact_case_officer", 10),
    ("ask_disagreement_resolution", 7),
    ("ask_mediation_vs_dr", 7),
    ("ask_sendias", 6),
    ("ask_advocate", 4),
    ("request_summary", 4),
    ("ask_prime_resolution", 4),
)
QUESTION_ACTIONS = {
    "ask_mediation_vs_dr": "action_explain_mediation_vs_dr",
    "ask_sendias": "action_point_to_service",
    "ask_prime_resolution": "action_point_to_service",
    "contact_case_officer": "action_point_to_service",
    "ask_deadline": "action_answer_deadline",
    "request_summary": "action_send_summary",
}
# A follow-up question: one of these intents after a routes reply in the same conversation.
FOLLOW_UPS = {q for q, _ in QUESTIONS} | {"request_human", "request_callback", "contact_case_officer"}
# Hour-of-day weights (UK time): a morning and lunchtime peak, most in the evening, few at night.
HOURS = (1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 8, 7, 8, 7, 6, 6, 6, 7, 9, 12, 13, 11, 7, 3)
WEEKDAYS = (10, 10, 10, 10, 9, 6, 6)  # Monday first
MESSAGES = {
    "disagreement": (
        "the council said no to {what}",
        "im not happy about {what}",
        "what can i do about {what}, its not right",
        "need help, {what}",
    ),
    "question": ("how do i do that", "what about {what}", "can you tell me more about {what}"),
    "greet": ("hi", "hello", "hiya"),
    "thank": ("thanks", "thank you that was useful", "cheers"),
    "goodbye": ("bye", "thats all bye"),
    "out_of_scope": ("when is my bin collection", "how do i pay council tax", "what time is it"),
    "crisis": ("i am scared of what he will do to himself", "my child has gone missing"),
    "request_human": ("can i talk to someone",),
    "affirm": ("yes", "yes please"),
    "deny": ("no", "not really"),
}
# What families write that the assistant does not understand: themes with variants,
# so that the review list's grouping has something to find.
NOT_UNDERSTOOD = (
    ("school transport has stopped for my son", "what about transport to school", "the school bus stopped"),
    ("can you help with a blue badge", "blue badge application help", "how do i get a blue badge"),
    ("pip form help please", "help with his pip forms", "dla and pip forms"),
    ("is there a parents support group", "any groups for parents of autistic kids", "parent support group near me"),
    ("can you read my letter", "i will send you the letter", "can u check this letter"),
    ("part time timetable", "he is only on a part time timetable", "school only have him mornings"),
)
NAMES = (
    "Oliver",
    "Amelia",
    "Jayden",
    "Aisha",
    "Priya",
    "Mohammed",
    "Olivia",
    "Kai",
    "Freya",
    "Leon",
    "Zainab",
    "Callum",
    "Grace",
    "Harvinder",
    "Chloe",
    "Tomasz",
)
SURNAMES = ("Khan", "Smith", "Patel", "Jones", "Begum", "Kowalski", "Evans", "Singh", "Murphy")
PERSONAL_SHAPES = (
    "{text}. I'm {first} {last}, call me on {phone}",
    "{text} - my son {first} is 9. email {email}",
    "{text}, this is {first} on {phone} or {email}",
    "my daughter {lower} {text}. {phone}",
    "{first} {last} here. {text} {email}",
)
REASONS = ("not_my_situation", "hard_to_understand", "more_detail")
STATUSES = (("open", 0.35), ("done", 0.55), ("withdrawn", 0.10))


@dataclass
class Truth:
    """What the generated conversations contain, counted while generating them."""

    conversations: Counter = field(default_factory=Counter)  # channel
    messages: Counter = field(default_factory=Counter)  # channel
    by_hour: Counter = field(default_factory=Counter)  # conversations started, UK hour
    by_weekday: Counter = field(default_factory=Counter)  # conversations started, 0 = Monday
    starts: List[float] = field(default_factory=list)  # when each conversation started (epoch)
    routes: Counter = field(default_factory=Counter)  # disagreement
    followups: Counter = field(default_factory=Counter)  # (disagreement, intent)
    actions: Counter = field(default_factory=Counter)  # not_understood, did_you_mean, out_of_scope, crisis
    feedback: Counter = field(default_factory=Counter)  # (disagreement, slot value)
    callbacks: Counter = field(default_factory=Counter)  # status
    done_seconds: List[float] = field(default_factory=list)
    not_understood_texts: List[str] = field(default_factory=list)
    personal: List[str] = field(default_factory=list)  # every name, phone and email written


def _pick(rng: random.Random, weighted: Sequence[Tuple[Any, float]]) -> Any:
    items, weights = zip(*weighted)
    return rng.choices(items, weights)[0]


class Conversation:
    """Builds one conversation's events (dicts in Rasa's format) and records its truth."""

    def __init__(self, gen: Generator, sender: str, channel: str, start: float) -> None:
        self.gen, self.rng, self.truth = gen, gen.rng, gen.truth
        self.sender, self.channel, self.now = sender, channel, start
        self.events: List[Dict[str, Any]] = []
        self.disagreement: Optional[str] = None
        self.feedback: Optional[str] = None
        self.asked_about: Optional[str] = None
        self.crisis = False
        self.callback: Optional[Dict[str, Any]] = None

    # -- events in Rasa's format ------------------------------------------------------
    def _event(self, kind: str, **fields: Any) -> None:
        self.events.append({"event": kind, "timestamp": self.now, "metadata": dict(META), **fields})
        self.now += 0.004

    def action(self, name: str) -> None:
        self._event("action", name=name, policy="RulePolicy", confidence=1.0, action_text=None, hide_rule_turn=False)

    def bot(self, text: str, buttons: Sequence[str] = ()) -> None:
        data = {
            "elements": None,
            "quick_replies": None,
            "buttons": [{"title": b, "payload": f"/{b}"} for b in buttons] or None,
            "attachment": None,
            "image": None,
            "custom": None,
        }
        self._event("bot", text=text, data=data)

    def slot(self, name: str, value: Any) -> None:
        self._event("slot", name=name, value=value)

    def user(self, intent: str, text: str) -> str:
        """A family's message (with personal details in personal mode); returns its text."""
        self.now += self.rng.uniform(15, 120)  # the family reads and types
        text = self.gen.personalise(text)
        message_id = uuid.UUID(int=self.rng.getrandbits(128)).hex
        ranking = [{"name": intent, "confidence": 0.9}] + [
            {"name": other, "confidence": 0.01} for other, _ in DISAGREEMENTS[:9] if other != intent
        ]
        tokens, at = [], 0
        for word in text.split():
            tokens.append([at, at + len(word)])
            at += len(word) + 1
        parse = {
            "intent": {"name": intent, "confidence": 0.9},
            "entities": [],
            "text": text,
            "message_id": message_id,
            "metadata": {},
            "text_tokens": tokens,
            "intent_ranking": ranking,
        }
        self._event("user", text=text, parse_data=parse, input_channel=self.channel, message_id=message_id)
        self._event("user_featurization", use_text_for_featurization=False)
        self.truth.messages[self.channel] += 1
        if intent in FOLLOW_UPS and self.disagreement:
            self.truth.followups[(self.disagreement, intent)] += 1
        return text

    def listen(self) -> None:
        self.action("action_listen")

    # -- turns --------------------------------------------------------------------------
    def start(self) -> None:
        self.action("action_session_start")
        self.bot("Hello. I am an automated assistant for Walsall Council, not a person.")
        self._event("session_started")
        self.listen()
        self.truth.conversations[self.channel] += 1
        self.truth.starts.append(self.events[2]["timestamp"])
        local = dt.datetime.fromtimestamp(self.events[2]["timestamp"], tz=LONDON)
        self.truth.by_hour[local.hour] += 1
        self.truth.by_weekday[local.weekday()] += 1

    def say(self, intent: str, kind: str, what: str = "this") -> None:
        self.user(intent, self.rng.choice(MESSAGES[kind]).format(what=what.replace("_", " ")))

    def routes(self, disagreement: str, by_button: bool = False) -> None:
        if by_button:
            self.user(disagreement, f"/{disagreement}")
        else:
            self.say(disagreement, "disagreement", disagreement)
        # As Rasa stores a custom action's result: its messages first, then its slot events.
        self.action("action_explain_routes")
        self.bot("It sounds like ... Here is what you can do: ...", ("ask_mediation", "ask_tribunal"))
        ask = self.feedback is None and not self.crisis
        if ask:
            self.bot("Did this help?", ("feedback_yes", "feedback_no"))
        self.slot("disagreement", disagreement)
        self.slot("service", None)
        self.truth.routes[disagreement] += 1
        self.disagreement = disagreement
        if ask:
            self._count_feedback("asked")
        self.listen()

    def _count_feedback(self, value: str) -> None:
        self.slot("feedback", value)
        self.feedback = value
        if value == "asked":
            self.asked_about = self.disagreement  # answers count for this disagreement
        self.truth.feedback[(self.asked_about, value)] += 1

    def simple(self, intent: str, kind: str, action: str, reply: str = "...") -> None:
        self.say(intent, kind)
        self.action(action)
        self.bot(reply)
        self.listen()

    def question(self, intent: str) -> None:
        self.say(intent, "question", intent)
        self.action(QUESTION_ACTIONS.get(intent, "action_answer_question"))
        self.bot("An answer for that disagreement.", ("ask_sendias",))
        self.slot("service", None)
        self.listen()

    def not_understood(self) -> None:
        text = self.user("nlu_fallback", self.rng.choice(self.rng.choice(NOT_UNDERSTOOD)))
        self.action("action_fallback_help")
        self.bot(
            "Sorry, I did not understand that. Tell me what happened in your own words.",
            ("refused_assessment", "disagree_plan_content"),
        )
        self.listen()
        self.truth.actions["not_understood"] += 1
        self.truth.not_understood_texts.append(text)

    def did_you_mean(self, disagreement: str) -> None:
        self.say("nlu_fallback", "disagreement", "it")
        self.action("action_did_you_mean")
        self.bot("Did you mean this?", (disagreement, "deny"))
        self.listen()
        self.truth.actions["did_you_mean"] += 1

    def crisis_turn(self) -> None:
        self.simple("crisis", "crisis", "action_crisis", "If anyone is in immediate danger, call 999 now.")
        self.truth.actions["crisis"] += 1
        self.crisis = True

    def answer_feedback(self, just_asked: bool = True) -> None:
        rng = self.rng
        yes = rng.random() < 0.6
        typed = just_asked and rng.random() < 0.3  # a typed yes/no counts only right after the question
        if typed:
            self.say("affirm" if yes else "deny", "affirm" if yes else "deny")
        else:
            self.user("feedback_yes" if yes else "feedback_no", "/feedback_yes" if yes else "/feedback_no")
        self.action("action_feedback")
        self.bot("Thank you." if yes else "Sorry it did not help. What was missing?")
        self._count_feedback("yes" if yes else "no")
        self.listen()
        if not yes:
            pick = rng.random()
            if pick < 0.6:
                reason = rng.choice(REASONS)
                self.user(f"feedback_{reason}", f"/feedback_{reason}")
                self.action("action_feedback")
                self.bot("Thank you for telling us.")
                self._count_feedback(f"reason:{reason}")
                self.listen()
            elif pick < 0.75:
                self.simple("request_human", "request_human", "action_talk_to_someone")

    def callback_request(self) -> None:
        self.say("request_human", "request_human")
        self.action("action_talk_to_someone")
        self.bot("I am an automated assistant ... Would you like the team to call you back?")
        self.listen()
        self.say("affirm", "affirm")
        self.action("callback_form")
        self._event("active_loop", name="callback_form")
        for asked, answer in (
            ("callback_topic", "about the assessment"),
            ("contact_method", "phone"),
            ("contact_detail", "[phone]"),
            ("good_time", "mornings"),
            ("consent", "yes"),
        ):
            self.slot("requested_slot", asked)
            self.bot(f"Question about {asked}")
            self.action("action_listen")
            self.user("affirm", answer)
            self.action("callback_form")
            self.slot(asked, None)  # the store blanks the form's answers
        self._event("active_loop", name=None)
        self.slot("requested_slot", None)
        self.action("action_submit_callback")
        self.bot("Your request is saved. Your reference is WS-XXXXX.")
        self.listen()
        status = _pick(self.rng, STATUSES)
        created = dt.datetime.fromtimestamp(self.now, tz=dt.timezone.utc)
        row = {"created_at": created, "status": status, "channel": self.channel, "done_at": None, "withdrawn_at": None}
        if status == "done":
            seconds = min(self.rng.lognormvariate(11.0, 0.9), 6 * 86400)
            row["done_at"] = created + dt.timedelta(seconds=seconds)
            self.truth.done_seconds.append(row["done_at"].timestamp() - created.timestamp())
        elif status == "withdrawn":
            row["withdrawn_at"] = created + dt.timedelta(hours=2)
        self.truth.callbacks[status] += 1
        self.callback = row

    # -- a whole conversation -------------------------------------------------------------
    def play(self) -> None:
        rng = self.rng
        self.start()
        first = rng.random()
        if first < 0.10:
            self.simple("greet", "greet", "utter_greet")
            if rng.random() < 0.3:
                return
        elif first < 0.12:
            self.crisis_turn()
            if rng.random() < 0.5:
                return
        elif first < 0.22:
            self.not_understood()
            if rng.random() < 0.5:
                return
        elif first < 0.27:
            self.simple("out_of_scope", "out_of_scope", "action_out_of_scope")
            if rng.random() < 0.6:
                return
        elif first < 0.31:
            disagreement = _pick(rng, DISAGREEMENTS)
            self.did_you_mean(disagreement)
            if rng.random() < 0.4:
                return
            self.routes(disagreement, by_button=True)
        elif first < 0.39:
            self.question(_pick(rng, QUESTIONS))
            if rng.random() < 0.6:
                return
        if self.disagreement is None:
            self.routes(_pick(rng, DISAGREEMENTS))
        if self.feedback == "asked" and rng.random() < 0.25:
            self.answer_feedback()
        if rng.random() < 0.6:
            return  # most families read the routes and leave
        for _ in range(rng.choices((0, 1, 2, 3), (25, 45, 20, 10))[0]):
            self.question(_pick(rng, QUESTIONS))
        extra = rng.random()
        if extra < 0.06:
            self.not_understood()
        elif extra < 0.08:
            self.simple("out_of_scope", "out_of_scope", "action_out_of_scope")
        elif extra < 0.09:
            self.crisis_turn()
        elif extra < 0.14:
            self.routes(_pick(rng, DISAGREEMENTS))
        if self.feedback == "asked" and rng.random() < 0.1:
            self.answer_feedback(just_asked=False)  # answered late, with the button
        if rng.random() < 0.06:
            self.callback_request()
        end = rng.random()
        if end < 0.25:
            self.simple("thank", "thank", "utter_thank")
        elif end < 0.35:
            self.simple("goodbye", "goodbye", "utter_goodbye")


class Generator:
    """Conversations spread over a period; ``truth`` counts what they hold."""

    def __init__(self, period: Period, seed: int = 13, personal: bool = False) -> None:
        self.period, self.rng, self.personal = period, random.Random(seed), personal
        self.truth = Truth()

    def personalise(self, text: str) -> str:
        if not self.personal or text.startswith("/"):
            return text
        rng = self.rng
        first, last = rng.choice(NAMES), rng.choice(SURNAMES)
        phone = f"07700 9{rng.randrange(10000, 99999)}"
        email = f"{first.lower()}.{last.lower()}{rng.randrange(10, 99)}@example.org"
        self.truth.personal += [first, last, phone, email]
        return rng.choice(PERSONAL_SHAPES).format(
            text=text, first=first, last=last, lower=first.lower(), phone=phone, email=email
        )

    def start_time(self) -> float:
        """A moment in the period: a weighted day of the week and hour of the day, UK time."""
        rng = self.rng
        days = [self.period.first + dt.timedelta(days=d) for d in range(self.period.days)]
        day = rng.choices(days, [WEEKDAYS[d.weekday()] for d in days])[0]
        hour = rng.choices(range(24), HOURS)[0]
        moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=LONDON)
        # Keep every conversation inside the period (the last hours of the last day are left out).
        latest = self.period.end_epoch - 4 * 3600
        return min(moment.timestamp(), latest - rng.uniform(0, 3600))

    def conversations(self, count: int) -> Iterator[Conversation]:
        for _ in range(count):
            channel = _pick(self.rng, CHANNELS)
            prefix = {"whatsapp": "wa-", "rest": "rest-"}.get(channel, "")
            sender = prefix + uuid.UUID(int=self.rng.getrandbits(128)).hex
            conversation = Conversation(self, sender, channel, self.start_time())
            conversation.play()
            yield conversation


def event_row(sender_id: str, data: Dict[str, Any]) -> Dict[str, Any]:
    """The ``events`` row the project's tracker store writes for one event (already redacted)."""
    return {
        "sender_id": sender_id,
        "type_name": data["event"],
        "timestamp": data.get("timestamp"),
        "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
