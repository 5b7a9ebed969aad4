"""`RunRow`: the row under a check or a save — its button, Stop while it runs, and a busy bar.

Every page that starts background work shows the same things: the button that starts it, an
indefinite progress bar while it runs and, where stopping makes sense (`StoppableRunRow`), a Stop
button beside it. Written once here, the pages cannot drift apart (one forgetting to hide Stop,
another to move the focus to it). The texts come from the page, translated in its own context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
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

    def set_busy(self, busy: bool, *, can_run: bool = True) -> None:
        """Running: the bar shown, the run button off; idle: the button as `can_run` says."""
        self.run_button.setEnabled(not busy and can_run)
        self.progress.setVisible(busy)


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
        super().set_busy(busy, can_run=can_run)
        self.stop_button.setVisible(busy)
        if busy and focus_stop:
            self.stop_button.setFocus()

    def _stop_clicked(self) -> None:
        task, self.task = self.task, None
        if task is not None and task.running:
            task.cancel()
            self.stopped.emit()
