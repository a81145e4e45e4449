"""The report's tables drawn as inline SVG charts (matplotlib, Agg backend).

The page must open from an email attachment with nothing fetched, so each
chart is an ``<svg>`` element written into the page: text is drawn as paths
(no fonts needed), ids are prefixed per chart so that several charts can share
one page, and the date and generator metadata are left out. Colours are the
Okabe-Ito palette, which readers with colour blindness can tell apart.
A suppressed count is drawn as no bar, marked "<5" (insights/suppress.py).
The chart is never the only way to read a figure: the page prints its table.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")  # no display; before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402

from insights.suppress import MARK  # noqa: E402
from insights.tables import Table  # noqa: E402

COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
WIDTH = 7.5  # inches; the SVG scales to the page
plt.rcParams.update(
    {
        "svg.fonttype": "path",
        "svg.hashsalt": "send-report",  # stable ids, so the same figures give the same page
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def _series(table: Table):
    labels = [label for label, _ in table.rows]
    series = [(name, [cells[index] for _, cells in table.rows]) for index, name in enumerate(table.columns[1:])]
    return labels, series


def _mark_small(ax, xs, values, horizontal: bool) -> None:
    for x, value in zip(xs, values):
        if value.suppressed:
            if horizontal:
                ax.annotate(
                    MARK, (0, x), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8, color="#333333"
                )
            else:
                ax.annotate(
                    MARK,
                    (x, 0),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                    color="#333333",
                    rotation=90,
                )


def _draw(table: Table):
    labels, series = _series(table)
    horizontal = table.chart in ("hbars", "hstacked")
    many = len(labels) > 8
    height = (
        max(2.6, (0.32 if table.chart == "hstacked" else 0.32 * max(1, len(series) * 0.7)) * len(labels) + 1.2)
        if horizontal
        else 3.4
    )
    figure, ax = plt.subplots(figsize=(WIDTH, height))
    positions = list(range(len(labels)))
    if table.chart in ("stacked", "hstacked"):
        bases = [0.0] * len(labels)
        for index, (name, values) in enumerate(series):
            sizes = [v.plot for v in values]
            colour = COLOURS[index % len(COLOURS)]
            if horizontal:
                ax.barh(positions, sizes, 0.7, left=bases, label=name, color=colour)
            else:
                ax.bar(positions, sizes, 0.7, bottom=bases, label=name, color=colour)
            bases = [b + h for b, h in zip(bases, sizes)]
        # A stack with a suppressed part is marked once, at its end.
        for position, base, cells in zip(positions, bases, zip(*(values for _, values in series))):
            if any(cell.suppressed for cell in cells):
                where, offset = ((base, position), (3, 0)) if horizontal else ((position, base), (0, 3))
                ax.annotate(
                    MARK,
                    where,
                    xytext=offset,
                    textcoords="offset points",
                    fontsize=8,
                    color="#333333",
                    va="center" if horizontal else "bottom",
                    ha="left" if horizontal else "center",
                )
    else:
        width = 0.8 / max(1, len(series))
        for index, (name, values) in enumerate(series):
            shift = (index - (len(series) - 1) / 2) * width
            xs = [p + shift for p in positions]
            heights = [v.plot for v in values]
            colour = COLOURS[index % len(COLOURS)]
            if horizontal:
                ax.barh(xs, heights, width, label=name, color=colour)
            else:
                ax.bar(xs, heights, width, label=name, color=colour)
            _mark_small(ax, xs, values, horizontal)
    if horizontal:
        ax.set_yticks(positions)
        ax.set_yticklabels(labels)
        ax.invert_yaxis()  # first row at the top, as in the table
        ax.xaxis.grid(True, color="#dddddd")
    else:
        ax.set_xticks(positions)
        ax.set_xticklabels(labels, rotation=90 if many else 0, fontsize=8 if many else 10)
        ax.yaxis.grid(True, color="#dddddd")
    ax.set_axisbelow(True)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=9, loc="best")
    figure.tight_layout()
    return figure


def svg(table: Table, prefix: str) -> str:
    """The table's chart as an ``<svg>`` element; its ids start with ``prefix``."""
    figure = _draw(table)
    buffer = io.StringIO()
    try:
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    finally:
        plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # no XML declaration or doctype inside HTML
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r'(href|xlink:href)="#([^"]+)"', lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    # Scale with the page: keep the viewBox, drop the fixed size.
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", text, count=1)
    return text
