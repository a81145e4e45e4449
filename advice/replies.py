"""What the assistant says: plain functions from content and context to messages.

Every function here is pure (content in, messages out) so it can be tested
without Rasa, and the rasa-sdk actions stay thin: they read the tracker, call
one of these, and dispatch the result. The disagreement the family described
earlier (the ``disagreement`` slot) is passed in so follow-up questions such as
"how long do I have?" are answered for *their* disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

from advice.content import Content, MissingDetail
from advice.fallback import CLARIFY, NO_GUESS, FirstStage

# Punjabi or Urdu in Latin letters (advice/languages.py), answered in English.
ROMANISED = "pa_ur_latn"

# A pseudo-contact in routes.yml: the school, nursery or college itself.
SETTING = "setting"
# How a contact detail is introduced on its line, in this order.
DETAIL_LABELS = (("phone", "phone"), ("text", "text"), ("email", "email"), ("web", "website"))


# "Something else" under "Did you mean" says no: the rules then ask them to say it another way.
SOMETHING_ELSE_PAYLOAD = "/deny"

# Topics with one fixed text and buttons, whatever the disagreement.
SIMPLE_TOPICS = ("advocate", "cost", "mediation_day", "lost_letter", "draft_plan", "young_person")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Message:
    text: str
    buttons: Tuple[Button, ...] = ()
    # A question whose typed answer may hold personal details (the callback
    # form's): the widget keeps a placeholder instead of that answer in the
    # browser's saved transcript (channels/socketio.py, web/src/store.js).
    asks_personal_detail: bool = False
    # A summary the family may keep: the widget offers to download or print it
    # (channels/socketio.py, web/src/widget.js); other channels show the text.
    keep_copy: bool = False

    def as_dict(self) -> dict:
        """The shape rasa-sdk's dispatcher and the channels expect."""
        data: dict = {"text": self.text}
        if self.buttons:
            data["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        if self.asks_personal_detail:
            data["asks_personal_detail"] = True
        if self.keep_copy:
            data["keep_copy"] = True
        return data


def buttons(content: Content, intents: Iterable[str]) -> Tuple[Button, ...]:
    """Buttons that ask the given intents' questions when pressed."""
    return tuple(Button(content.button_title(i), f"/{i}") for i in intents)


def _disagreement(content: Content, disagreement: Optional[str]) -> Optional[Mapping[str, Any]]:
    return content.disagreements.get(disagreement) if disagreement else None


def form_phrase(spec: Optional[Mapping[str, Any]]) -> str:
    """' using form SEND35' for an appealable disagreement, else ''."""
    appeal = spec.get("appeal") if spec else None
    return f" using form {appeal['form']}" if appeal else ""


def _appeal(spec: Optional[Mapping[str, Any]]) -> Optional[Mapping[str, Any]]:
    return spec.get("appeal") if spec else None


def route_steps(content: Content, disagreement: str) -> List[str]:
    """The disagreement's steps, rendered and numbered ("1. Talk to ..."), in the order to try them."""
    spec = content.disagreements[disagreement]
    phrase = form_phrase(spec)
    return [
        f"{number}. {content.render(content.steps[step], form_phrase=phrase)}"
        for number, step in enumerate(spec["steps"], start=1)
    ]


def routes_reply(content: Content, disagreement: str) -> List[Message]:
    """The routes that fit a disagreement, numbered in the order to try them.

    The one action with a deadline (``urgent``) comes right after the summary,
    so it stands out on a phone; a fact the family must act on first (a draft
    plan cannot be appealed; a proposal to cease is not yet a decision) comes
    before the steps.
    """
    spec = content.disagreements[disagreement]
    lines = [content.render(spec["summary"])]
    if spec.get("urgent"):
        lines.append(content.render(spec["urgent"]))
    if spec.get("before_steps"):
        lines.append(content.render(spec["before_steps"]))
    lines.append("Here is what you can do:")
    lines += route_steps(content, disagreement)
    if spec.get("note"):
        lines.append(content.render(spec["note"]))
    lines.append(content.render(content.closing))
    return [Message("\n".join(lines), buttons(content, spec["buttons"]))]


def mediation_vs_dr_reply(content: Content) -> List[Message]:
    topic = content.topics["mediation_vs_dr"]
    return [Message(content.render(topic["text"]), buttons(content, topic["buttons"]))]


def disagreement_resolution_reply(content: Content, disagreement: Optional[str]) -> List[Message]:
    """What disagreement resolution is; where an appeal is possible, that the clocks keep running."""
    topic = content.topics["disagreement_resolution"]
    parts = [topic["about"]]
    spec = _disagreement(content, disagreement)
    appeal = _appeal(spec)
    if spec is None or spec.get("linked_appeal"):
        parts.append(topic["general_note"])
    elif appeal and appeal["certificate_needed"]:
        parts.append(topic["appeal_note"])
    elif appeal:
        parts.append(topic["placement_note"])
    if spec is not None and spec.get("dr_note"):
        parts.append(spec["dr_note"])
    return [Message(content.render("\n\n".join(parts)), buttons(content, topic["buttons"]))]


def mediation_reply(content: Content, disagreement: Optional[str]) -> List[Message]:
    """What mediation is (and that it is the family's choice), and what it means for their disagreement.

    Where mediation is not a route (no appeal, and no `mediation` text of its
    own), it says so, offers disagreement resolution if the route has it, and
    never promises that the council must take part.
    """
    topic = content.topics["mediation"]
    spec = _disagreement(content, disagreement)
    appeal = _appeal(spec)
    if spec is not None and not appeal and not spec.get("mediation"):
        parts = [topic["not_for_this"]]
        if "disagreement_resolution" in spec["steps"]:
            parts.append(topic["instead"])
        parts.append(spec["no_appeal"])
        return [Message(content.render("\n\n".join(parts)), buttons(content, spec["buttons"]))]
    parts = [topic["about"]]
    if spec is None:
        # "Most appeals": a placement-only appeal needs no certificate.
        parts.append(f"{topic['certificate_general']} {topic['certificate_process']}")
    elif appeal and appeal["certificate_needed"]:
        parts.append(f"{topic['certificate']} {topic['certificate_process']}")
    elif appeal:
        parts.append(topic["certificate_not_needed"])
    else:
        parts.append(spec["mediation"])
    parts.append(topic["provider"])
    return [Message(content.render("\n\n".join(parts)), buttons(content, topic["buttons"]))]


def tribunal_reply(content: Content, disagreement: Optional[str]) -> List[Message]:
    """How to appeal and by when; or, if this disagreement cannot be appealed, what to do instead."""
    topic = content.topics["tribunal"]
    spec = _disagreement(content, disagreement)
    appeal = _appeal(spec)
    if spec is None:
        parts = [topic["general"], topic["how"]]
    elif appeal:
        if appeal["certificate_needed"]:
            parts = [topic["appeal"], topic["certificate"], topic["how"]]
        else:
            parts = [topic["appeal_placement"], topic["certificate_not_needed"], topic["how"]]
    else:
        return [Message(content.render(spec["no_appeal"]), buttons(content, spec["buttons"]))]
    text = content.render("\n\n".join(parts), form_phrase=form_phrase(spec))
    return [Message(text, buttons(content, topic["buttons"]))]


def deadline_reply(content: Content, disagreement: Optional[str]) -> List[Message]:
    """'How long do I have?' without a date: the two clocks, and what to do if time is short.

    For a disagreement that cannot go to the tribunal, there is no tribunal
    deadline: its own ``deadline`` text says what applies instead. The
    deadline calculator reuses this reply when the family gives no date.
    """
    topic = content.topics["deadline"]
    spec = _disagreement(content, disagreement)
    appeal = _appeal(spec)
    if spec is not None and not appeal:
        return [Message(content.render(spec["deadline"]), buttons(content, spec["buttons"]))]
    if appeal is None:
        parts = [topic["clocks_general"]]
    else:
        parts = [topic["clocks"] if appeal["certificate_needed"] else topic["clocks_placement"]]
    if spec is not None and spec.get("deadline_note"):
        parts.append(spec["deadline_note"])
    placement = appeal is not None and not appeal["certificate_needed"]
    parts += [topic["running"], topic["late_placement" if placement else "late"], topic["lost"]]
    text = content.render("\n".join(parts), form_phrase=form_phrase(spec))
    return [Message(text, buttons(content, topic["buttons"]))]


def simple_topic_reply(content: Content, name: str) -> List[Message]:
    """A topic with fixed text and buttons (advocates, cost, the draft plan, ...)."""
    topic = content.topics[name]
    return [Message(content.render(topic["text"]), buttons(content, topic.get("buttons", ())))]


def contact_line_without_details(service: Any) -> str:
    """What :func:`contact_line` gives for a service with no detail to show."""
    return f"{service.name[0].upper()}{service.name[1:]}."


def contact_line(content: Content, service_id: str) -> str:
    """'Name: phone 0123 (to be confirmed), website https://...' from the details that exist."""
    service = content.services[service_id]
    shown = []
    for key, label in DETAIL_LABELS:
        if key in service.details:
            try:
                shown.append(f"{label} {content.detail(service_id, key)}")
            except MissingDetail:
                continue
    name = service.name[0].upper() + service.name[1:]
    return f"{name}: {', '.join(shown)}." if shown else f"{name}."


def service_reply(content: Content, service_id: str) -> List[Message]:
    """Who a service is, what it does and how to reach it (or who can say, until the council supplies it)."""
    service = content.services[service_id]
    line = contact_line(content, service_id)
    if line == contact_line_without_details(service):
        line = content.render(content.topics["service_no_contact"])
    text = f"{content.render(service.what_they_do)}\n{line}"
    return [Message(text, buttons(content, ["ask_mediation_vs_dr", "ask_tribunal"]))]


def contacts_for(content: Content, disagreement: Optional[str], named: Optional[str] = None) -> List[str]:
    """Who to contact: a service the family named, else the disagreement's first contacts; SENDIAS always last."""
    spec = _disagreement(content, disagreement)
    if named is not None and named in content.services:
        first = [named]
    else:
        first = list(spec.get("contacts", [])) if spec else ["ehc_team"]
    return [c for c in first if c != "sendias"] + ["sendias"]


def contact_lines(content: Content, contact_ids: Sequence[str]) -> List[str]:
    lines = []
    for contact in contact_ids:
        if contact == SETTING:
            lines.append(content.render(content.topics["contact"]["school"]))
        else:
            lines.append(contact_line(content, contact))
    return lines


def contact_reply(content: Content, disagreement: Optional[str], service: Optional[str]) -> List[Message]:
    """'How do I contact them?': the service just talked about, else the first contacts for the disagreement."""
    if service is not None and service in content.services:
        return service_reply(content, service)
    contact_ids = contacts_for(content, disagreement)
    lines = []
    if "ehc_team" in contact_ids:
        lines.append(content.render(content.topics["contact"]["case_officer"]))
        contact_ids = [c for c in contact_ids if c != "ehc_team"]
    lines += contact_lines(content, contact_ids)
    return [Message("\n".join(lines), buttons(content, content.topics["contact"]["buttons"]))]


def crisis_reply(content: Content) -> List[Message]:
    """Emergency numbers first; the local safeguarding line only once the council supplies it."""
    text = content.render(content.topics["crisis"])
    try:
        text += "\n" + content.render(content.topics["crisis_local"])
    except MissingDetail:
        pass
    return [Message(text)]


def resume_reply(content: Content, disagreement: str) -> List[Message]:
    """After the crisis reply: a button back to the disagreement the family also described."""
    return [Message(content.render(content.topics["crisis_resume"]), buttons(content, [disagreement]))]


def something_else(content: Content) -> Button:
    """The last button of a "Did you mean": sends "no", which asks them to say it another way."""
    return Button(content.topics["did_you_mean"]["something_else"], SOMETHING_ELSE_PAYLOAD)


def _unsure_hints(content: Content, maybe_out_of_scope: bool, maybe_crisis: bool) -> List[str]:
    lines = []
    if maybe_crisis:
        lines.append(content.render(content.topics["unsure_danger"]))
    if maybe_out_of_scope:
        lines.append(content.render(content.topics["unsure_other_help"]))
    return lines


def did_you_mean_reply(content: Content, stage: FirstStage) -> List[Message]:
    """The first reply when NLU is unsure (advice/fallback.py): never a guessed route.

    ``clarify`` and ``did_you_mean`` offer their topics and "Something else";
    ``no_guess`` asks them to say it another way, with the main topics.
    """
    hints = _unsure_hints(content, stage.maybe_out_of_scope, stage.maybe_crisis)
    if stage.kind == NO_GUESS or not stage.topics:
        topic = content.topics["no_guess"]
        text = "\n".join([content.render(topic["text"]), *hints])
        return [Message(text, buttons(content, topic["buttons"]))]
    question = content.topics["clarify"] if stage.kind == CLARIFY else content.topics["did_you_mean"]["text"]
    text = "\n".join([content.render(question), *hints])
    return [Message(text, (*buttons(content, stage.topics), something_else(content)))]


def rephrase_reply(content: Content) -> List[Message]:
    """After "Something else": please say it another way."""
    return [Message(content.render(content.topics["rephrase"]))]


def fallback_reply(content: Content) -> List[Message]:
    """Not understood again: every topic as a button, and the people to phone."""
    topic = content.topics["fallback"]
    return [Message(content.render(topic["text"]), buttons(content, topic["buttons"]))]


def also_mentioned_reply(content: Content, other: str) -> List[Message]:
    """After the answer to the main problem: the other problem the message seemed to name."""
    return [Message(content.render(content.topics["also_mentioned"]), buttons(content, [other]))]


def out_of_scope_reply(content: Content, candidates: Sequence[str] = ()) -> List[Message]:
    """Not something we help with; but if NLU saw a possible disagreement, offer it as a button."""
    text = content.render(content.topics["out_of_scope"])
    if candidates:
        text += "\n" + content.render(content.topics["out_of_scope_maybe"])
    return [Message(text, buttons(content, candidates))]


def other_language_reply(content: Content, language: str, candidates: Sequence[str] = ()) -> List[Message]:
    """A family who wrote in another language: one short message in that language.

    Punjabi or Urdu in Latin letters (ROMANISED) gets the English reply, with
    any disagreement the model also saw offered as a button.
    """
    if language in content.languages:
        return [Message(content.render(content.languages[language]["text"]))]
    text = content.render(content.romanised)
    if candidates:
        text += "\n" + content.render(content.topics["out_of_scope_maybe"])
    return [Message(text, buttons(content, candidates))]


def translated_replies(content: Content) -> List[Tuple[str, List[Message]]]:
    """The replies in other languages, by language code (not in all_replies: the
    English checks cannot read them; ``make content-check`` checks them its own way)."""
    return [(f"other_language:{code}", other_language_reply(content, code)) for code in content.languages]


def intro_reply(content: Content, days: int) -> List[Message]:
    """The opening message: automated, what it does, how long the chat is kept; the privacy notice once supplied."""
    intro = content.topics["intro"]
    text = content.render(intro["text"], days=str(days))
    try:
        text += "\n" + content.render(intro["privacy"])
    except MissingDetail:
        pass
    return [Message(text)]


__all__ = [
    "Button",
    "Message",
    "routes_reply",
    "mediation_vs_dr_reply",
    "disagreement_resolution_reply",
    "mediation_reply",
    "tribunal_reply",
    "deadline_reply",
    "simple_topic_reply",
    "service_reply",
    "contact_reply",
    "crisis_reply",
    "resume_reply",
    "did_you_mean_reply",
    "rephrase_reply",
    "fallback_reply",
    "also_mentioned_reply",
    "out_of_scope_reply",
    "intro_reply",
    "other_language_reply",
    "translated_replies",
]
