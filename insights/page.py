"""The report as one self-contained HTML page: no scripts, fonts, images or links to fetch.

It must open from an email attachment on a council laptop, be readable with
a screen reader and print well. Each chart is inline SVG with a caption
(``figcaption``) that names it, and its table follows inside the same figure
as the text alternative; every value comes from insights/suppress.py.
Everything written into the page goes through :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import List, Optional, Sequence

from insights import charts, suppress
from insights.period import LONDON, Period
from insights.review import Review
from insights.tables import Section, Table

SHOWN_GROUPS = 40  # the page shows the largest groups; the YAML export has them all
SHOWN_ITEMS = 15  # different messages shown per group

STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #0b0c0c;
  background: #fff; line-height: 1.5; margin: 0 auto; max-width: 60rem; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 1rem 0 .5rem; }
h2 { font-size: 1.45rem; margin: 2.5rem 0 .5rem; padding-top: .5rem; border-top: 4px solid #1d4f91; }
h3 { font-size: 1.15rem; margin: 1.5rem 0 .25rem; }
a { color: #1d4f91; }
a:focus, [tabindex]:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
.notice { background: #f3f2f1; border-left: 6px solid #1d4f91; padding: .75rem 1rem; }
.team-only { background: #fff7e6; border: 3px solid #b35900; padding: 0 1rem 1rem; margin-top: 2.5rem; }
.team-only h2 { border-top: 0; }
.warning { font-weight: 600; }
figure { margin: 1.5rem 0; }
figcaption { font-size: 1rem; margin-bottom: .5rem; }
svg { width: 100%; height: auto; display: block; }
.table-wrap { overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .95rem; min-width: 50%; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid #b1b4b6; padding: .35rem .75rem .35rem 0; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { border-bottom: 2px solid #0b0c0c; }
ul.messages { list-style: none; padding: 0; }
ul.messages li { margin: .25rem 0; padding: .25rem .75rem; border-left: 4px solid #b1b4b6; background: #fff; }
.answer { color: #383f43; font-size: .95rem; margin: .25rem 0 1rem; }
.small { font-size: .9rem; color: #383f43; }
@media print { h2 { break-before: page; } figure, table { break-inside: avoid; } .table-wrap { overflow: visible; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _table(table: Table, caption_id: Optional[str] = None) -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in table.columns)
    body = []
    for label, cells in table.rows:
        values = "".join(f'<td class="n">{_e(cell.text)}</td>' for cell in cells)
        body.append(f'<tr><th scope="row">{_e(label)}</th>{values}</tr>')
    caption = f"<caption>{_e(table.title)}</caption>" if caption_id is None else ""
    return (
        f'<div class="table-wrap" role="region" aria-label="{_e(table.title)}" tabindex="0">'
        f'<table id="t-{_e(table.id)}">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _figure(table: Table) -> str:
    caption_id = f"c-{table.id}"
    svg = charts.svg(table, f"g-{table.id}")
    svg = svg.replace("<svg", f'<svg role="img" aria-labelledby="{caption_id}" aria-describedby="t-{_e(table.id)}"', 1)
    return (
        f'<figure id="f-{_e(table.id)}"><figcaption id="{caption_id}"><strong>{_e(table.title)}.</strong> '
        f"{_e(table.caption)} The table under the chart gives the same figures.</figcaption>"
        f"{svg}{_table(table, caption_id)}</figure>"
    )


def _section(number: int, section: Section) -> str:
    parts = [
        f'<section id="s{number}" aria-labelledby="s{number}-title">',
        f'<h2 id="s{number}-title">{_e(section.title)}</h2>',
    ]
    parts += [f"<p>{_e(line)}</p>" for line in section.summary]
    for table in section.tables:
        if table.chart:
            parts.append(_figure(table))
        else:
            parts.append(f'<p class="small">{_e(table.caption)}</p>' + _table(table))
    parts.append("</section>")
    return "\n".join(parts)


def _review(review: Review) -> str:
    parts = [
        '<section id="review" class="team-only" aria-labelledby="review-title">',
        '<h2 id="review-title">Messages not understood: review list (for the SEND team only)</h2>',
        '<p class="warning">For the SEND team only. This part shows what families typed when the '
        "assistant did not understand them. Personal details were removed and are shown as markers "
        "such as [phone], [email] and [name]. Do not publish or forward this part. Make the report "
        "with --public for a version without it.</p>",
        f"<p>Messages: {_e(suppress.count(review.messages).text)}, in {len(review.groups)} groups of "
        "similar messages, the largest first. A developer can export them as training examples with "
        "<code>python -m enquiries review</code>.</p>",
    ]
    if review.left_out:
        parts.append(f"<p>{review.left_out:,} less frequent different messages are not listed.</p>")
    if not review.groups:
        parts.append("<p>Every message was understood in this period.</p>")
    if len(review.groups) > SHOWN_GROUPS:
        parts.append(f"<p>The {SHOWN_GROUPS} largest groups are shown; the export has all {len(review.groups)}.</p>")
    parts.append("<ol>")
    for number, group in enumerate(review.groups[:SHOWN_GROUPS], start=1):
        parts.append(
            f'<li><h3>Group {number}: {_e(suppress.count(group.size).text)} messages</h3><ul class="messages">'
        )
        for item in group.items[:SHOWN_ITEMS]:
            times = (
                f' <span class="small">({_e(suppress.count(item.count).text)} times)</span>' if item.count > 1 else ""
            )
            parts.append(f"<li><q>{_e(item.text)}</q>{times}</li>")
        if len(group.items) > SHOWN_ITEMS:
            parts.append(f"<li>and {len(group.items) - SHOWN_ITEMS:,} more different messages</li>")
        parts.append(
            f'</ul><p class="answer">{_e(group.items[0].kind)}. The assistant answered: '
            f"{_e(group.items[0].answer)}</p></li>"
        )
    parts.append("</ol></section>")
    return "\n".join(parts)


def render(
    period: Period, sections: Sequence[Section], review: Optional[Review], made: Optional[dt.datetime] = None
) -> str:
    """The whole page."""
    made = (made or dt.datetime.now(dt.timezone.utc)).astimezone(LONDON)
    contents: List[str] = [f'<li><a href="#s{n}">{_e(s.title)}</a></li>' for n, s in enumerate(sections, 1)]
    if review is not None:
        contents.append('<li><a href="#review">Messages not understood (SEND team only)</a></li>')
    title = f"SEND assistant: insights report, {period.describe()}"
    intro = (
        "What families asked the Walsall SEND assistant, when, on which channel, where it fell short "
        "and whether they found it helpful. The figures are counted from the kind of each message and "
        "reply, their times and channel, never from what families wrote (apart from the review list at "
        "the end, for the SEND team only). Times are UK time."
    )
    privacy = (
        'So that no family can be singled out, any count from 1 to 4 is shown as "fewer than 5", and a '
        "percentage is not shown when it is based on fewer than 5. In charts such a count has no bar and "
        'is marked "<5". Conversations are kept for the retention period only, so a report covers at most '
        "that period."
    )
    team = (
        "This copy includes the review list for the SEND team."
        if review is not None
        else "This copy has no review list and can be shared."
    )
    body = [
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="small">Made on {made.day} {made:%B %Y at %H:%M}. {_e(team)}</p>',
        f"<p>{_e(intro)}</p>",
        f'<p class="notice">{_e(privacy)}</p>',
        f'<nav aria-label="Contents"><h2 class="small" style="border:0;margin:1rem 0 0">Contents</h2>'
        f"<ol>{''.join(contents)}</ol></nav></header>",
        "<main>",
        *(_section(n, s) for n, s in enumerate(sections, 1)),
    ]
    if review is not None:
        body.append(_review(review))
    body.append("</main>")
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
