"""CSV that a spreadsheet opens as data, never as formulas (CSV injection, issue 12 finding 7).

Member names, emails, external ids and group names come from outside. A spreadsheet runs a cell
that starts with `=`, `+`, `-`, `@`, tab or CR as a formula. Checking only a cell's first
character is not enough: a spreadsheet whose list separator is `;` (the default in many European
locales) splits the unquoted `Eve;=2+5*7` into `Eve` and a formula. So every cell is quoted
(`csv.QUOTE_ALL`), and an apostrophe, which spreadsheets read as "text follows", goes before each
such character at the start of the cell *and* after every separator-like character (`;`, `,`,
tab, `|`, CR, LF; spaces between are skipped). A space is not counted as a separator: it splits
cells only when an importer is told so, and `Jean -Pierre` would be spoiled everywhere.

The cost: such a cell reads back with the apostrophes (`Eve;'=2+5*7`); nothing else changes.
Both the members window's export and `members --csv` (and `groups --csv`) write through here.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

#: What a spreadsheet takes as the start of a formula.
FORMULA_START = frozenset("=+-@\t\r")
#: Where a spreadsheet may start a new cell inside one CSV field: list separators and line breaks.
SEPARATORS = frozenset(";,\t|\r\n")
_NEUTRAL = "'"


def safe_cell(text: str) -> str:
    """`text` with an apostrophe before every formula start at the cell's start or after a
    separator-like character (spaces in between skipped)."""
    if not any(ch in FORMULA_START for ch in text):  # nearly every cell, without a loop
        return text
    out: list[str] = []
    at_start = True
    for ch in text:
        if at_start and ch in FORMULA_START:
            out.append(_NEUTRAL)
        out.append(ch)
        if ch in SEPARATORS:
            at_start = True
        elif ch != " ":
            at_start = False
    return "".join(out)


def writer(stream: TextIO) -> Any:
    """A `csv.writer` that quotes every cell (write the cells through `safe_cell`)."""
    return csv.writer(stream, quoting=csv.QUOTE_ALL)
