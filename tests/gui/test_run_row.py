"""`RunRow`, the run / Stop / busy-bar row the wizard's checks and saves share."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.core.cancel import Cancelled
from app.gui.tasks import TaskControl, run_task, running_task_count
from app.gui.widgets.run_row import RunRow, StoppableRunRow
from tests.gui.conftest import WAIT_MS, click


def _holder(qtbot: QtBot) -> QWidget:
    """A window for a row, shown (the caller keeps it alive)."""
    holder = QWidget()
    qtbot.addWidget(holder)
    return holder


def _stoppable(qtbot: QtBot) -> tuple[QWidget, StoppableRunRow]:
    holder = _holder(qtbot)
    row = StoppableRunRow(holder, ("&Check", "Check it"), "Checking", ("Stop", "Stop the check"))
    holder.show()
    qtbot.waitExposed(holder)
    return holder, row


def test_busy_shows_stop_and_the_bar_and_idle_hides_them(qtbot: QtBot) -> None:
    _window, row = _stoppable(qtbot)
    assert (row.run_button.accessibleName(), row.stop_button.accessibleName()) == (
        "Check it",
        "Stop the check",
    )
    assert row.progress.accessibleName() == "Checking"
    assert not row.stop_button.isVisible()
    assert not row.progress.isVisible()
    row.set_busy(True, focus_stop=True)
    assert row.stop_button.isVisible()
    assert row.progress.isVisible()
    assert not row.run_button.isEnabled()
    qtbot.waitUntil(row.stop_button.hasFocus, timeout=WAIT_MS)
    row.set_busy(False, can_run=False)  # idle, but the page says its inputs cannot run yet
    assert not row.stop_button.isVisible()
    assert not row.progress.isVisible()
    assert not row.run_button.isEnabled()
    row.set_busy(False)
    assert row.run_button.isEnabled()


def test_a_row_without_stop_never_shows_one(qtbot: QtBot) -> None:
    window = _holder(qtbot)
    row = RunRow(window, ("&Save", "Save it"), "Saving")
    window.show()
    qtbot.waitExposed(window)
    row.set_busy(True)
    assert row.progress.isVisible()
    assert not row.run_button.isEnabled()
    assert [b.accessibleName() for b in row.findChildren(QPushButton)] == ["Save it"]


def test_stop_cancels_the_running_task_and_says_so_once(qtbot: QtBot) -> None:
    _window, row = _stoppable(qtbot)
    started = threading.Event()

    def work(control: TaskControl) -> None:
        started.set()
        if control.token.wait(10):
            raise Cancelled()

    stopped: list[bool] = []
    row.stopped.connect(lambda: stopped.append(True))
    task = run_task(row, work)
    row.task = task
    row.set_busy(True)
    assert started.wait(5)
    click(qtbot, row.stop_button)
    assert stopped == [True]
    assert task.token.cancelled
    assert not task.running
    assert row.task is not task  # forgotten: a second Stop has nothing to cancel
    row.stop_button.click()  # nothing left to stop: no second signal
    assert stopped == [True]
    qtbot.waitUntil(lambda: running_task_count() == 0, timeout=WAIT_MS)
