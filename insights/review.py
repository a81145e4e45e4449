"""The "not understood" review list: what families wrote that the assistant did not understand.

For the SEND team only. Each message that got the "not understood" reply (or
"Did you mean"), with what the assistant answered (its text, no buttons),
grouped with similar messages so that the team sees themes ("school
transport", "blue badge") rather than a long list. A developer can export it
as candidate training examples (``python -m enquiries review --out
review.yml``), label each group with an intent from docs/intents.md, and add
them to data/nlu/.

Privacy: the messages are read from the conversation store, which keeps
redacted text and is purged after the retention period, so the list covers at
most that period. Before anything is shown, :func:`insights.names.scrub`
redacts it again and removes likely names. The counts in the page follow
the small-number rule like every other figure.

Grouping: TF-IDF over character n-grams (robust to the typos families make),
cosine distance, average-linkage clustering with a distance threshold, with
scikit-learn (which Rasa already installs). At most :data:`MAX_DISTINCT`
different messages are grouped, the most frequent first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from insights import sql
from insights.names import scrub
from insights.period import Period
from insights.sql import ev, events

MAX_DISTINCT = 2000
DISTANCE = 0.75  # cosine distance within which messages join a group
KIND_LABELS = {"not_understood": "Not understood", "did_you_mean": 'Asked "Did you mean"'}  # COUNTED keys


@dataclass
class Item:
    """One message (as shown, scrubbed), how often it was sent, and what the assistant answered."""

    text: str
    answer: str
    kind: str
    count: int = 1


@dataclass
class Group:
    items: List[Item] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(item.count for item in self.items)


@dataclass
class Review:
    period: Period
    groups: List[Group]
    messages: int  # every message found, before the cap
    left_out: int  # distinct messages not grouped (beyond MAX_DISTINCT)


def _texts(connection: Connection, names: Mapping[str, Any]) -> List[Tuple[int, str, str, str]]:
    """(action id, action name, the family's message, the assistant's answer) for each review action.

    Reads text only for these events: the message just before each action and
    the assistant's messages just after it, from Rasa's events table.
    """
    dialect = connection.dialect.name
    if not sa.inspect(connection).has_table("events"):
        return []
    actions = (
        sa.select(ev.c.id, ev.c.action_name, ev.c.sender_id, ev.c.lu)
        .where(
            ev.c.type_name == names["action"],
            ev.c.action_name.in_(names["review_actions"]),
            ev.c.lu.isnot(None),
            ev.c.lu > ev.c.conv,
        )
        .subquery()
    )
    message = events.alias("message")
    rows = connection.execute(
        sa.select(actions.c.id, actions.c.action_name, sql.json_field(message.c.data, "text", dialect))
        .select_from(actions.join(message, message.c.id == actions.c.lu))
        .order_by(actions.c.id)
    ).all()
    # The assistant's answer: its bot messages after the action, before the next action.
    following = events.alias("following")
    next_action = (
        sa.select(sa.func.min(following.c.id))
        .where(
            following.c.sender_id == actions.c.sender_id,
            following.c.id > actions.c.id,
            following.c.type_name == names["action"],
        )
        .scalar_subquery()
    )
    answer_rows = connection.execute(
        sa.select(actions.c.id, sql.json_field(events.c.data, "text", dialect))
        .select_from(
            actions.join(
                events,
                sa.and_(
                    events.c.sender_id == actions.c.sender_id,
                    events.c.id > actions.c.id,
                    events.c.id < next_action,
                ),
            )
        )
        .where(events.c.type_name == names["bot"])
        .order_by(events.c.id)
    ).all()
    connection.commit()
    answers: Dict[int, List[str]] = {}
    for action_id, text in answer_rows:
        if text:
            answers.setdefault(action_id, []).append(text)
    return [(action_id, kind, text or "", "\n".join(answers.get(action_id, []))) for action_id, kind, text in rows]


def _group(items: List[Item]) -> List[Group]:
    if not items:
        return []
    if len(items) == 1:
        return [Group(items)]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True, sublinear_tf=True).fit_transform(
        [item.text for item in items]
    )
    clustering = AgglomerativeClustering(
        n_clusters=None, distance_threshold=DISTANCE, affinity="precomputed", linkage="average"
    ).fit(cosine_distances(vectors))
    groups: Dict[int, Group] = {}
    for item, label in zip(items, clustering.labels_):
        groups.setdefault(int(label), Group()).items.append(item)
    ordered = sorted(groups.values(), key=lambda g: (-g.size, g.items[0].text))
    for group in ordered:
        group.items.sort(key=lambda i: (-i.count, i.text))
    return ordered


def build(connection: Connection, period: Period, names: Mapping[str, Any]) -> Review:
    """The review list for the period (the snapshot must be built on this connection)."""
    found = _texts(connection, names)
    kind_labels = {names[key]: label for key, label in KIND_LABELS.items()}
    counts: Counter = Counter()
    first: Dict[str, Item] = {}
    for _, kind, text, answer in found:
        if not text.strip() or text.startswith("/"):
            continue  # a button's payload, not words a family typed
        shown = scrub(text.strip())
        counts[shown] += 1
        first.setdefault(shown, Item(shown, scrub(answer), kind_labels.get(kind, "Not understood")))
    distinct = [text for text, _ in counts.most_common()]
    kept = distinct[:MAX_DISTINCT]
    items = [Item(first[t].text, first[t].answer, first[t].kind, counts[t]) for t in kept]
    return Review(period, _group(items), sum(counts.values()), len(distinct) - len(kept))


def _yaml_line(text: str) -> str:
    """One example line: on one line, without characters YAML's block would trip over."""
    return " ".join(text.replace("\t", " ").split())


def to_yaml(review: Review, made: Optional[dt.datetime] = None) -> str:
    """Candidate training examples in Rasa's NLU format, one block per group, to be labelled."""
    made = made or dt.datetime.now(dt.timezone.utc)
    lines = [
        "# Candidate training examples: messages the assistant did not understand,",
        f"# {review.period.describe()} (made {made:%Y-%m-%d %H:%M} UTC).",
        "# FOR THE SEND TEAM AND DEVELOPERS ONLY. Personal details were removed and",
        "# shown as markers ([phone], [email], [name]); check every line again.",
        "# Delete this file after use: like the conversations it comes from, it must not",
        "# be kept longer than the retention period.",
        "#",
        "# To use: for each group, replace label_me_N with an intent from docs/intents.md",
        "# (or delete the group), remove any line that does not fit, move the examples to",
        "# the right file in data/nlu/, and never copy them into tests/.",
        'version: "3.1"',
        "nlu:",
    ]
    if not review.groups:
        lines[-1] = "nlu: []  # no message went without being understood in this period"
    for number, group in enumerate(review.groups, start=1):
        answer = _yaml_line(group.items[0].answer)[:160]
        lines.append(
            f"# group {number}: {group.size} message(s); {group.items[0].kind.lower()}; "
            f"the assistant answered: {answer}"
        )
        lines.append(f"- intent: label_me_{number}")
        lines.append("  examples: |")
        lines += [f"    - {_yaml_line(item.text)}" for item in group.items]
    return "\n".join(lines) + "\n"
