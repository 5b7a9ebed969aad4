"""Hypothesis: any Unicode a member chooses is shown on one line, without reordering characters,
capped, and never as a formula, in every place that shows it (issue 12)."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from app.commands.members import render, to_csv
from app.core.public_api import Member, MemberStatus, MemberType
from app.core.spreadsheet import FORMULA_START, safe_cell
from app.gui.members.confirm_dialogs import member_title
from app.gui.members.model import CELL_LIMIT, shown
from app.gui.members.rows import MemberRow
from app.gui.widgets.plain_text import notification_text

TEXT = st.text(min_size=0, max_size=400)
BAD = ("\n", "\r", "\u2028", "\u2029", "\u202e", "\u202d", "\u2066", "\x1b", "\x00")


def _one_line(text: str) -> bool:
    return not any(ch in text for ch in BAD)


@settings(max_examples=200, deadline=None)
@given(name=TEXT, email=TEXT)
def test_members_model_title_and_notification(name: str, email: str) -> None:
    cell = shown(name)
    assert _one_line(cell)
    assert len(cell) <= CELL_LIMIT
    title = member_title(MemberRow(id="m1", email=email or "x", name=name))
    assert _one_line(title)
    body = notification_text(title)
    assert _one_line(body)
    assert "<" not in body


@settings(max_examples=200, deadline=None)
@given(value=TEXT)
def test_csv_cells_never_start_a_formula_at_any_separator(value: str) -> None:
    cell = safe_cell(value)
    for separator in ";,\t|\n\r":
        for part in cell.split(separator):
            assert part.lstrip(" ")[:1] not in FORMULA_START


@settings(max_examples=100, deadline=None)
@given(name=TEXT, email=TEXT)
def test_members_command_text_and_csv(name: str, email: str) -> None:
    member = Member(
        id="m1",
        email=email,
        name=name,
        status=MemberStatus.ACCEPTED,
        type=MemberType.USER,
        external_id=name,
    )
    text = render([member])
    for line in text.splitlines():
        assert not any(ch in line for ch in BAD[4:])  # no bidi override or escape in a line
    plain = member.model_copy(update={"name": "x", "email": "x", "external_id": "x"})
    assert len(text.splitlines()) == len(render([plain]).splitlines())  # no forged line
    for row in csv.reader(io.StringIO(to_csv([member]), newline=""), delimiter=";"):
        for field in row:
            assert field.strip(' "')[:1] not in FORMULA_START
