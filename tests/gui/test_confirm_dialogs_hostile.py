"""Member-chosen text in the confirm dialogs and notifications is shown plainly (issue 12, 3 and 4).

A member names themselves with markup (`<b>`, `<img src="file://…">`), newlines that fake a second
member line, a right-to-left override, or ten thousand characters. The dialogs are rendered
offscreen and what a person would see is asserted: the plain characters, no file read, and the
phrase column still on screen.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import Qt, QTextDocument
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.core.outside_text import clean
from app.gui.members.confirm_dialogs import (
    EMAIL_WIDTH,
    NAME_WIDTH,
    FingerprintDialog,
    OutcomeDialog,
)
from app.gui.members.rows import MemberRow, RowStatus
from app.gui.widgets.plain_text import notification_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PHRASE = "alpha-bravo-charlie-delta-echo"


def _shown_as(tooltip: str) -> str:
    """What Qt's tooltip label shows for `tooltip` (it guesses rich text as `AutoText` does)."""
    document = QTextDocument()
    if Qt.mightBeRichText(tooltip):
        document.setHtml(tooltip)
    else:
        document.setPlainText(tooltip)
    return document.toPlainText()


def _render_as_tooltip(qtbot: QtBot, tooltip: str) -> None:
    """Paint `tooltip` the way QToolTip does (a QLabel with the default AutoText)."""
    label = QLabel(tooltip)
    qtbot.addWidget(label)
    label.show()
    label.grab()


@pytest.fixture
def watched_file(tmp_path: Path) -> Path:
    """A file whose access time moves if anything reads it (atime set before mtime: relatime)."""
    path = tmp_path / "secret.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    os.utime(path, (1_000_000_000, 2_000_000_000))
    return path


def test_outcome_tooltips_show_markup_as_text_and_load_no_file(
    qtbot: QtBot, watched_file: Path
) -> None:
    name = f'<b>Eve</b><img src="file://{watched_file}"> <eve@example.com>'
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = OutcomeDialog("Results", [("m1", name, "Confirmed", "<i>done</i>")], parent)
    qtbot.addWidget(dialog)
    dialog.show()
    member = dialog.table.item(0, 0)
    reason = dialog.table.item(0, 2)
    assert member is not None
    assert reason is not None
    assert _shown_as(member.toolTip()) == name
    assert _shown_as(reason.toolTip()) == "<i>done</i>"
    _render_as_tooltip(qtbot, member.toolTip())
    assert os.stat(watched_file).st_atime == 1_000_000_000  # never opened


def _row(index: int, name: str, email: str | None = None) -> MemberRow:
    return MemberRow(
        id=f"m{index}",
        email=email or f"member{index}@example.com",
        name=name,
        status=RowStatus.ACCEPTED,
        user_id=f"u{index}",
    )


def test_a_long_or_forged_name_cannot_hide_the_phrase_or_fake_an_email(qtbot: QtBot) -> None:
    forged = "Mallory\n<ceo@example.com>\u202emoc.elpmaxe@" + "x" * 10_000
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = FingerprintDialog(
        [(_row(0, forged, "mallory@example.com"), PHRASE), (_row(1, "Bob"), PHRASE)], parent
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    name, email, phrase = (table.item(0, c) for c in range(3))
    assert name is not None
    assert email is not None
    assert phrase is not None
    # Name and email in their own cells, one line each, no reordering characters.
    assert "\n" not in name.text()
    assert "\u202e" not in name.text()
    assert email.text() == "mallory@example.com"
    assert _shown_as(name.toolTip()) == clean(forged, 1000)
    # Geometry: the name column keeps its width; the phrase column starts inside the viewport
    # and has room for the phrase.
    assert table.columnWidth(0) == NAME_WIDTH
    viewport = table.viewport().width()
    start = table.columnViewportPosition(2)
    assert 0 < start < viewport
    assert viewport - start >= table.fontMetrics().horizontalAdvance(PHRASE) // 2
    assert dialog.all_verified.isEnabled()  # two rows: both on screen at once
    assert dialog.phrases() == [PHRASE, PHRASE]


def test_a_member_without_a_name_shows_a_dash_not_the_email_twice(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = FingerprintDialog([(_row(0, "  ", "solo@example.com"), PHRASE)], parent)
    qtbot.addWidget(dialog)
    name, email = dialog.table.item(0, 0), dialog.table.item(0, 1)
    assert name is not None
    assert email is not None
    assert (name.text(), email.text()) == ("—", "solo@example.com")
    assert name.data(Qt.ItemDataRole.AccessibleTextRole) == "solo@example.com"


def test_a_long_member_in_the_outcome_keeps_result_and_reason_in_view(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = OutcomeDialog("Results", [("m1", "x" * 10_000, "Failed", "Timed out")], parent)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.table.columnWidth(0) <= NAME_WIDTH + EMAIL_WIDTH
    assert 0 < dialog.table.columnViewportPosition(2) < dialog.table.viewport().width()


def test_i_verified_is_enabled_only_after_every_phrase_row_was_shown(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    entries = [(_row(i, f"Member {i}"), PHRASE) for i in range(60)]
    dialog = FingerprintDialog(entries, parent)
    qtbot.addWidget(dialog)
    dialog.resize(760, 300)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.all_verified.isEnabled()
    bar = dialog.table.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    assert not dialog.all_verified.isEnabled()
    bar.setValue(bar.maximum())  # jumped to the end: the rows in between were never on screen
    assert not dialog.all_verified.isEnabled()
    for value in range(bar.minimum(), bar.maximum() + 1, max(1, bar.pageStep() // 2)):
        bar.setValue(value)
    bar.setValue(bar.maximum())
    assert dialog.all_verified.isEnabled()


@pytest.mark.skipif(os.name != "posix", reason="freedesktop notifications read markup")
def test_a_notification_body_escapes_markup_for_the_daemon() -> None:
    text = notification_text('<a href="https://evil.example">Eve</a> & co\n\u202eaccepted')
    assert text == '&lt;a href="https://evil.example"&gt;Eve&lt;/a&gt; &amp; co accepted'


def test_the_longest_phrase_is_shown_whole_never_elided(qtbot: QtBot) -> None:
    """The admin reads the phrase out word for word: five of the word list's longest words fit."""
    from PySide6.QtGui import QFont, QFontMetrics

    longest = "-".join(
        ["unquestionable", "overstuffed", "unscrambled", "reconstruct", "untangible"]
    )
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = FingerprintDialog([(_row(0, "Ada", "ada@example.com"), longest)], parent)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    item = dialog.table.item(0, 2)
    assert item is not None
    font = QFont(item.font())
    needed = QFontMetrics(font).horizontalAdvance(longest)
    assert dialog.table.columnWidth(2) > needed
    start = dialog.table.columnViewportPosition(2)
    assert start + needed < dialog.table.viewport().width()
