"""Members named with markup, newlines, bidi overrides or 10,000 characters (issue 12).

The members are created through the sandbox's SCIM endpoint, as Okta would, and accept their
invitation; the members window, its notification, the fingerprint dialog and the outcome dialog
are rendered offscreen. What a person would see is asserted: the plain characters, one line per
value, no reordering, the phrase column on screen, and a `file://` image that is never read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import Qt, QTextDocument
from PySide6.QtWidgets import QLabel, QTableWidget
from pytestqt.qtbot import QtBot

from app.core.outside_text import clean
from app.gui.context import AppContext
from app.gui.members.confirm_dialogs import NAME_WIDTH, PHRASE_COLUMN
from app.gui.members.model import CELL_LIMIT
from app.gui.members.rows import Column, RowStatus
from app.gui.members.window import MembersWindow
from app.gui.widgets.plain_text import notification_text
from tests.gui.test_members_window import (
    WAIT_MS,
    accept,
    open_window,
    password,
    refresh,
    save_profile,
)

__all__ = ["open_window"]  # the fixture, shared with the members window's tests

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

SCIM_JSON = "application/scim+json"


@pytest.fixture
def watched_file(tmp_path: Path) -> Path:
    """A file whose access time moves if anything reads it (atime before mtime: relatime)."""
    path = tmp_path / "private.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    os.utime(path, (1_000_000_000, 2_000_000_000))
    return path


def hostile_names(watched: Path) -> dict[str, str]:
    """email -> display name, one trick each."""
    return {
        "markup@example.com": f'<b>Eve</b><img src="file://{watched}"><a href="https://x">x</a>',
        "forged@example.com": "Mallory\n<ceo@example.com>\r\nfake line",
        "bidi@example.com": "Trudy \u202emoc.elpmaxe@oec\u202c",
        "long@example.com": "Walter " + "W" * 10_000,
    }


def create_through_scim(ctx: AppContext, email: str, name: str) -> str:
    """POST /Users as Okta does; the member id the sandbox gave."""
    assert ctx.sandbox_info is not None
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": name, "familyName": ""},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": name,
        "externalId": f"00u{email.split('@')[0]}",
        "active": True,
    }
    response = httpx.post(
        ctx.sandbox_info["scim_url"] + "/Users",
        json=body,
        headers={
            "Authorization": f"Bearer {ctx.sandbox_info['scim_key']}",
            "Content-Type": SCIM_JSON,
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    member_id: str = response.json()["id"]
    return member_id


def shown_as(tooltip: str) -> str:
    """What Qt's tooltip label shows for `tooltip` (it guesses rich text, as AutoText does)."""
    document = QTextDocument()
    if Qt.mightBeRichText(tooltip):
        document.setHtml(tooltip)
    else:
        document.setPlainText(tooltip)
    return document.toPlainText()


def paint_as_tooltip(qtbot: QtBot, tooltip: str) -> None:
    """Paint `tooltip` as QToolTip does (a QLabel in the default AutoText)."""
    label = QLabel(tooltip)
    qtbot.addWidget(label)
    label.show()
    label.grab()


def one_line(text: str) -> bool:
    return not any(ch in text for ch in "\n\r\u2028\u202e\u202c")


def table_tooltips(qtbot: QtBot, table: QTableWidget) -> list[str]:
    """Every cell's text is one line; the tooltips as a person reads them (each painted)."""
    seen = []
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            item = table.item(row, column)
            assert item is not None
            assert one_line(item.text())
            if item.toolTip():
                seen.append(shown_as(item.toolTip()))
                assert one_line(seen[-1])
                paint_as_tooltip(qtbot, item.toolTip())
    return seen


def test_hostile_members_are_shown_as_plain_text_everywhere(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    watched_file: Path,
) -> None:
    ctx = demo_context
    save_profile(ctx)
    names = hostile_names(watched_file)
    ids = {email: create_through_scim(ctx, email, name) for email, name in names.items()}
    window = open_window(ctx)

    # The one with markup accepts first: the notification names them.
    with qtbot.waitSignal(window.notifier.notified, timeout=WAIT_MS) as notified:
        accept(ctx, ids["markup@example.com"])
        refresh(qtbot, window)
    _title, text = notified.args
    assert one_line(text)
    assert "<b>Eve</b>" in text  # the characters, as typed
    body = notification_text(text)
    if os.name == "posix":  # freedesktop daemons read body markup: escaped for them
        assert "<" not in body
        assert "&lt;b&gt;Eve&lt;/b&gt;" in body
    assert window.notice_banner.text() == text
    assert window.notice_banner.label.textFormat() == Qt.TextFormat.PlainText
    for email, member_id in ids.items():
        if email != "markup@example.com":
            accept(ctx, member_id)
    refresh(qtbot, window)

    # The members table: each value on one line, capped, its tooltip the plain characters.
    model = window.model
    for email, name in names.items():
        position = model.position_of(ids[email])
        assert position is not None
        assert model.row_at(position).status is RowStatus.ACCEPTED
        cell = model.index(position, int(Column.NAME), QModelIndex())
        display = model.data(cell, Qt.ItemDataRole.DisplayRole)
        assert one_line(display)
        assert len(display) <= CELL_LIMIT
        tooltip = model.data(cell, Qt.ItemDataRole.ToolTipRole)
        assert shown_as(tooltip).startswith(clean(name, 1000).removesuffix("…")[:200])
        assert one_line(shown_as(tooltip))
        paint_as_tooltip(qtbot, tooltip)
        email_cell = model.index(position, int(Column.EMAIL), QModelIndex())
        assert model.data(email_cell, Qt.ItemDataRole.DisplayRole) == email
    assert shown_as(
        model.data(
            model.index(model.position_of(ids["markup@example.com"]) or 0, 0, QModelIndex()),
            Qt.ItemDataRole.ToolTipRole,
        )
    ).startswith(names["markup@example.com"])
    window.grab()

    # The fingerprint dialog: own columns, fixed widths, the phrases in view.
    assert window.start_confirm(list(ids.values()), password=password(ctx))
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.fingerprint_dialog is not None, timeout=WAIT_MS)
    dialog = flow.fingerprint_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert table.rowCount() == len(names)
    assert table.columnWidth(0) == NAME_WIDTH
    start = table.columnViewportPosition(PHRASE_COLUMN)
    assert 0 < start < table.viewport().width()
    assert all(len(phrase.split("-")) == 5 for phrase in dialog.phrases())
    emails = {table.item(r, 1).text() for r in range(table.rowCount())}  # type: ignore[union-attr]
    assert emails == set(names)
    tooltips = table_tooltips(qtbot, table)
    assert names["markup@example.com"] in tooltips  # the characters, not bold, no image
    assert clean(names["forged@example.com"]) in tooltips
    dialog.grab()
    for member_id in ids.values():
        dialog.set_verified(member_id)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        dialog.accept()
    assert sorted(o.result for o in finished.args[0]) == ["confirmed"] * len(names)

    # The outcome dialog: member column capped, its tooltips plain.
    outcome = window.outcome_dialog
    assert outcome is not None
    qtbot.waitExposed(outcome)
    tooltips = table_tooltips(qtbot, outcome.table)
    assert any(t.startswith(names["markup@example.com"]) for t in tooltips)
    assert 0 < outcome.table.columnViewportPosition(1) < outcome.table.viewport().width()
    outcome.grab()
    # Nothing opened the file a member's <img> pointed at.
    assert os.stat(watched_file).st_atime == 1_000_000_000
