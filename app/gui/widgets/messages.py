"""`MessageLabel`: one place to show an error, warnings or a success, with an accessible text."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

from app.core.outside_text import printable, shorten
from app.gui.widgets.text import escape, selectable

#: The most of one line a message shows (a server's message can be anything).
LINE_LIMIT = 2000


class Tone(Enum):
    NEUTRAL = ""
    INFO = "info"
    OK = "#1e7d32"
    WARNING = "#8a5300"
    ERROR = "#b3261e"


_SYMBOL = {Tone.NEUTRAL: "", Tone.INFO: "", Tone.OK: "✔ ", Tone.WARNING: "⚠ ", Tone.ERROR: "✖ "}


class FittedLabel(QLabel):
    """A word-wrapped label whose size hint is its height at the width it has."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        #: The height the text needs at the width the label has (-1: not laid out yet).
        self._fitted = -1

    # A wrapped label's size hint is its height at a narrow guessed width (five lines for two):
    # in a form row that left a tall gap under a URL error. The hint follows the real width.
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        return QSize(hint.width(), self._fitted) if self._fitted > 0 else hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().minimumSizeHint()
        return QSize(hint.width(), self._fitted) if self._fitted > 0 else hint

    def _fit(self) -> None:
        if self.width() <= 0 or not self.wordWrap():
            return
        needed = self.heightForWidth(self.width())
        if needed != self._fitted:
            self._fitted = needed
            self.updateGeometry()


class MessageLabel(FittedLabel):
    """A word-wrapped label for validation and results; empty means hidden."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        # Selectable once the wizard has painted. Qt tells the two kinds of text apart: coloured
        # messages are a <span>, the others plain sentences that never start with a tag.
        selectable(self, "message")
        self.setAccessibleName(accessible_name)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.tone = Tone.NEUTRAL
        self.plain = ""
        self.setVisible(False)

    def show_lines(self, tone: Tone, lines: list[str]) -> None:
        """Show `lines` (plain text) in `tone`; nothing to show hides the label.

        Lines may hold outside text (a server's message): each is split at its line breaks and
        cleaned of control and bidi characters, and shown character for character, never as markup.
        """
        lines = [
            printable(shorten(part, LINE_LIMIT))
            for line in lines
            for part in line.splitlines()
            if part.strip()
        ]
        self.tone = tone
        self.plain = "\n".join(lines)
        if not lines:
            self.clear()
            self.setVisible(False)
            return
        text = [_SYMBOL[tone] * (i == 0) + line for i, line in enumerate(lines)]
        joined = "\n".join(text)
        if tone.value.startswith("#"):
            body = "<br>".join(escape(line) for line in text)
            self.setText(f'<span style="color:{tone.value}">{body}</span>')
        elif "<" in joined or "&" in joined:
            # Outside text (a server's message) that Qt's AutoText could take for markup: shown
            # escaped, character for character, never rendered.
            self.setText("<span>" + "<br>".join(escape(line) for line in text) + "</span>")
        else:  # plain text: cheaper to lay out (the first page paints with one)
            self.setText(joined)
        self.setFrameShape(QFrame.Shape.StyledPanel if tone is Tone.INFO else QFrame.Shape.NoFrame)
        self.setMargin(6 if tone is Tone.INFO else 0)
        self.setAccessibleDescription(self.plain)
        self.setVisible(True)
        self._fit()

    def show_checks(
        self, error: str | None, warnings: list[str], notes: tuple[str, ...] = ()
    ) -> None:
        """A core check's outcome: the error, else its warnings, else nothing; `notes` (what was
        cleaned off a paste) show with either."""
        if error:
            self.show_lines(Tone.ERROR, [error, *notes])
        elif notes or warnings:
            self.show_lines(Tone.WARNING, [*notes, *warnings])
        else:
            self.show_lines(Tone.NEUTRAL, [])
