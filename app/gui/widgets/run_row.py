"""`RunRow`: the row under a check or a save — its button, Stop while it runs, and a busy bar.

Every page that starts background work shows the same things: the button that starts it, an
indefinite progress bar while it runs and, where stopping makes sense (`StoppableRunRow`), a Stop
button beside it. Written once here, the pages cannot drift apart (one forgetting to hide Stop,
another to move the focus to it). The texts come from the page, translated in its own context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

if TYPE_CHECKING:
    from app.gui.tasks import Task


class RunRow(QWidget):
    """`run_button` and `progress` in one row; `run` is (button text, accessible name)."""

    def __init__(self, parent: QWidget, run: tuple[str, str], busy_name: str) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.run_button = QPushButton(run[0], self)
        self.run_button.setAccessibleName(run[1])
        self._layout.addWidget(self.run_button)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName(busy_name)
        self.progress.setVisible(False)
        self._layout.addWidget(self.progress, 1)
        self._layout.addStretch(0)
        #: The keyboard was on this row when the work started: disabling the button moves Qt's
        #: focus elsewhere on the page (a keyboard user then lands anywhere), so it comes back.
        self._focus_back = False
        #: The button was pressed (not a run on opening): its result is brought into sight.
        self._pressed = False
        self.run_button.clicked.connect(self._press)

    def set_busy(self, busy: bool, *, can_run: bool = True) -> None:
        """Running: the bar shown, the run button off; idle: the button as `can_run` says."""
        if busy and self.run_button.hasFocus():
            self._focus_back = True
        self.run_button.setEnabled(not busy and can_run)
        self.progress.setVisible(busy)
        if not busy and self._focus_back:
            self._focus_back = False
            if self.run_button.isEnabled():
                self.run_button.setFocus(Qt.FocusReason.OtherFocusReason)
        if not busy and self._pressed:
            self._pressed = False
            # The page writes the result after this call: look once it has.
            QTimer.singleShot(0, self, self._bring_into_sight)

    def _press(self) -> None:
        self._pressed = True

    def _bring_into_sight(self) -> None:
        """Pressed with an Alt shortcut while out of sight, its result would otherwise appear
        where nobody sees it: the row's panel (the button and its result) is shown."""
        bring_into_sight(self.parentWidget() or self)


def bring_into_sight(widget: QWidget) -> None:
    """Scroll the page holding `widget` so that it shows (as much as fits, from its top)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication, QScrollArea

    area = widget.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    if area is not None:
        # Text was just written into it: lay it out first, or its old, shorter size is shown.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        area.ensureWidgetVisible(widget, 0, 0)


class StoppableRunRow(RunRow):
    """A `RunRow` with `stop_button` (`stop`: text, accessible name), shown while busy."""

    #: Stop was pressed while `task` ran: it is cancelled; the page shows itself idle at once
    #: (the task's own `cancelled` follows later, to the same end).
    stopped = Signal()

    def __init__(
        self, parent: QWidget, run: tuple[str, str], busy_name: str, stop: tuple[str, str]
    ) -> None:
        super().__init__(parent, run, busy_name)
        self.stop_button = QPushButton(stop[0], self)
        self.stop_button.setAccessibleName(stop[1])
        self.stop_button.setVisible(False)
        self.stop_button.clicked.connect(self._stop_clicked)
        self._layout.insertWidget(1, self.stop_button)
        #: The task Stop cancels (the page sets it when it starts one).
        self.task: Task[Any] | None = None

    def set_busy(self, busy: bool, *, can_run: bool = True, focus_stop: bool = False) -> None:
        """As `RunRow.set_busy`, with Stop shown while busy (and focused, if `focus_stop`)."""
        if not busy and self.stop_button.hasFocus():
            self._focus_back = True  # Stop is about to hide
        super().set_busy(busy, can_run=can_run)
        self.stop_button.setVisible(busy)
        if busy and focus_stop:
            self.stop_button.setFocus()

    def _stop_clicked(self) -> None:
        task, self.task = self.task, None
        if task is not None and task.running:
            task.cancel()
            self.stopped.emit()
