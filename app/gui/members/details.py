"""The members window's side panel: the selected member's timeline and what to do about them.

"Why is someone still invited?" is answered here, from the local history (read on a worker) and the
known patterns (`member_story`). Every text is plain (Qt.PlainText): names and e-mails come from
outside.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.gui.members.member_story import MemberStory


def _plain_label(parent: QWidget, *, bold: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    if bold:
        label.setStyleSheet("font-weight: bold;")
    return label


class MemberDetails(QFrame):
    """Shows one `MemberStory`; empty with a hint when no member is selected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Member details"))
        self.setMinimumWidth(260)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        self.title = _plain_label(self, bold=True)
        self.title.setAccessibleName(self.tr("Member"))
        self.status = _plain_label(self)
        self.status.setAccessibleName(self.tr("Status"))
        heading = _plain_label(self, bold=True)
        heading.setText(self.tr("Timeline (what this program saw)"))
        self.timeline = _plain_label(self)
        self.timeline.setAccessibleName(self.tr("Timeline"))
        self.advice = _plain_label(self)
        self.advice.setAccessibleName(self.tr("What to do"))
        for widget in (self.title, self.status, heading, self.timeline, self.advice):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.member_id: str | None = None
        self.clear()

    def clear(self) -> None:
        self.member_id = None
        self.title.setText(self.tr("No member selected"))
        self.status.setText(self.tr("Select a member to see their timeline and what to do next."))
        self.timeline.setText("")
        self.advice.setText("")

    def show_story(self, member_id: str, story: MemberStory) -> None:
        self.member_id = member_id
        self.title.setText(story.title)
        self.status.setText(story.status_line)
        lines = [
            f"{at.astimezone().strftime('%Y-%m-%d %H:%M')}  {event}" for at, event in story.timeline
        ]
        self.timeline.setText("\n".join(lines) or self.tr("Nothing recorded yet."))
        self.advice.setText("\n\n".join(story.advice))
