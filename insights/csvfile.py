"""The report's figures as one CSV file: the same tables as the page, one value per line.

Columns: figure (a stable id), title, row, column, value. Values follow the
small-number rule exactly as in the page ("fewer than 5"); counts have no
thousands separators. Cells a spreadsheet would read as a formula are quoted.
"""

from __future__ import annotations

import csv
from typing import IO, Sequence

from insights.tables import Section

HEADER = ("figure", "title", "row", "column", "value")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA) else text


def write(stream: IO[str], sections: Sequence[Section]) -> int:
    """Write every table's values; returns the number of values written."""
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    written = 0
    for section in sections:
        for table in section.tables:
            for label, cells in table.rows:
                for column, cell in zip(table.columns[1:], cells):
                    writer.writerow([table.id, _cell(table.title), _cell(label), _cell(column), _cell(cell.csv)])
                    written += 1
    return written
