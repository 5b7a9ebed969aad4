"""CSV cells never become formulas, whatever the spreadsheet's list separator (issue 12, 7)."""

from __future__ import annotations

import csv
import io

import pytest

from app.commands.members import to_csv
from app.core.public_api import Member, MemberStatus, MemberType
from app.core.spreadsheet import FORMULA_START, safe_cell, writer
from app.gui.members.export import csv_record
from app.gui.members.rows import MemberRow

HOSTILE = [
    "Eve;=2+5*7",
    '=HYPERLINK("http://x")',
    "a,+1",
    "b\t-2",
    "c|@SUM(A1)",
    "d\n=1",
    "e; =1",
    "\t=1",
    "plain-name",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_no_part_starts_a_formula_when_split_at_any_separator(value: str) -> None:
    cell = safe_cell(value)
    for separator in ";,\t|\n\r":
        for part in cell.split(separator):
            assert part.lstrip(" ")[:1] not in FORMULA_START, (value, separator, part)


def test_a_harmless_value_is_unchanged() -> None:
    assert safe_cell("Jean-Pierre Dupont") == "Jean-Pierre Dupont"
    assert safe_cell("Jean -Pierre") == "Jean -Pierre"  # a space is not a separator


def _read_semicolon(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _assert_inert(text: str) -> None:
    assert text.startswith('"')  # every cell quoted
    for row in _read_semicolon(text):
        for field in row:
            assert field.strip(' "')[:1] not in FORMULA_START, field


def test_members_csv_and_the_window_export_read_back_with_a_semicolon_parser() -> None:
    members = [
        Member(
            id=f"m{i}",
            email=f"x{i}@example.com",
            name=name,
            status=MemberStatus.ACCEPTED,
            type=MemberType.USER,
            external_id=name,
        )
        for i, name in enumerate(HOSTILE)
    ]
    _assert_inert(to_csv(members))
    out = io.StringIO()
    csv_writer = writer(out)
    for i, name in enumerate(HOSTILE):
        csv_writer.writerow(csv_record(MemberRow(id=f"m{i}", email="y@example.com", name=name)))
    _assert_inert(out.getvalue())
    # Read with the comma the file was written with, each value is back with its apostrophes.
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][0] == "Eve;'=2+5*7"
