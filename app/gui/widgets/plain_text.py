"""Outside text (member names, emails, server messages) shown as plain text, never as markup.

Qt guesses: a label, tooltip or message box in its default `AutoText` renders anything that looks
like HTML, so a member named `<img src="file:///…">` loads and shows a local file, and `<b>` turns
bold. Labels and message boxes get `Qt.PlainText` set explicitly. Tooltips have no format of their
own, so their text is converted to HTML that shows the plain characters (`Qt.convertFromPlainText`).
Desktop notification daemons on Linux render body markup (links, images), so a notification's
text is escaped there. Every value is first cleaned of control and bidi characters and capped.
"""

from __future__ import annotations

import html
import sys

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QTableWidgetItem, QWidget

from app.core.outside_text import MESSAGE_LIMIT, clean

#: The most a tooltip shows of one value (a 10,000-character name stays readable).
TOOLTIP_LIMIT = 1000


def plain_tooltip(text: str, limit: int = TOOLTIP_LIMIT) -> str:
    """Tooltip text that Qt shows character for character, whatever the text looks like."""
    return Qt.convertFromPlainText(clean(text, limit), Qt.WhiteSpaceMode.WhiteSpaceNormal)


def set_plain_tooltip(target: QWidget | QTableWidgetItem, text: str) -> None:
    target.setToolTip(plain_tooltip(text) if text else "")


def plain_label(label: QLabel, text: str, limit: int | None = MESSAGE_LIMIT) -> None:
    """Show outside text in `label`, as plain text."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(clean(text, limit))


def plain_message_box(box: QMessageBox) -> QMessageBox:
    """A message box whose text (and informative text) is never read as markup."""
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def notification_text(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A desktop notification's body: cleaned, and escaped where the daemon reads markup."""
    line = clean(text, limit)
    if sys.platform.startswith(("win", "darwin")):
        return line  # the Windows and macOS notification centres show text as it is
    # freedesktop.org notifications: the body may hold <b>, <a href>, <img> (Desktop
    # Notifications Specification, "Markup"); entities are shown as the characters.
    return html.escape(line, quote=False)
