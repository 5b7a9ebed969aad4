"""`app.gui.tasks`: results arrive on the GUI thread; cancel and a dead owner stop callbacks."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
import shiboken6
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.core.cancel import Cancelled
from app.gui.tasks import SingleFlight, Task, TaskControl, run_task, running_task_count


def _gui_thread() -> QThread:
    app = QApplication.instance()
    assert app is not None
    return app.thread()


def test_result_and_progress_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    worker_threads: list[bool] = []
    seen: list[tuple[str, object, bool]] = []

    def work(control: TaskControl) -> int:
        worker_threads.append(threading.current_thread() is threading.main_thread())
        for step in (1, 2, 3):
            control.progress(step)
        return 42

    def record(kind: str) -> Callable[[object], None]:
        def append(value: object) -> None:
            seen.append((kind, value, QThread.currentThread() is _gui_thread()))

        return append

    task = run_task(owner, work, on_success=record("ok"), on_progress=record("progress"))
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert worker_threads == [False]
    assert seen == [
        ("progress", 1, True),
        ("progress", 2, True),
        ("progress", 3, True),
        ("ok", 42, True),
    ]
    assert not task.running


def test_an_exception_is_delivered_as_failure(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)

    def work(_control: TaskControl) -> None:
        raise ValueError("plain words")

    task = run_task(owner, work, on_failure=lambda _e: None)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        pass
    [error] = blocker.args
    assert isinstance(error, ValueError)
    assert str(error) == "plain words"


def test_cancel_stops_waiting_at_once_and_drops_the_result(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    started = threading.Event()
    results: list[object] = []

    def work(control: TaskControl) -> str:
        started.set()
        if control.token.wait(10):  # the core's calls end like this when their client is closed
            raise Cancelled()
        return "late"

    task = run_task(owner, work, on_success=results.append, on_failure=results.append)
    assert started.wait(5)
    announced: list[str] = []
    task.cancelled.connect(lambda: announced.append("cancelled"))
    task.finished.connect(lambda: announced.append("finished"))
    task.cancel()
    assert not task.running  # the UI stops waiting at once...
    assert task.token.cancelled
    assert announced == []  # ...but no handler ran inside the caller's `cancel()` call
    qtbot.waitUntil(lambda: announced == ["cancelled", "finished"], timeout=5000)
    qtbot.waitUntil(lambda: running_task_count() == 0, timeout=5000)
    QApplication.processEvents()
    assert results == []


def test_a_destroyed_owner_is_never_called_back(qtbot: QtBot) -> None:
    owner = QWidget()
    release = threading.Event()
    calls: list[object] = []

    def work(control: TaskControl) -> str:
        release.wait(5)
        control.progress("after the owner died")
        return "result"

    class Receiver(QWidget):
        def on_result(self, value: object) -> None:
            calls.append(value)

    receiver = Receiver(owner)
    task = run_task(owner, work, on_success=receiver.on_result, on_progress=receiver.on_result)
    token = task.token
    shiboken6.delete(owner)
    assert token.cancelled  # the worker's network call is told to stop
    release.set()
    qtbot.waitUntil(lambda: running_task_count() == 0, timeout=5000)
    QApplication.processEvents()
    assert calls == []


def test_run_task_refuses_other_threads(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    errors: list[BaseException] = []

    def from_a_thread() -> None:
        try:
            run_task(owner, lambda _c: None)
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=from_a_thread)
    thread.start()
    thread.join(5)
    assert len(errors) == 1
    assert "GUI thread" in str(errors[0])


@pytest.mark.parametrize("cancel_first", [True, False])
def test_cancel_after_delivery_changes_nothing(qtbot: QtBot, cancel_first: bool) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    release = threading.Event()

    def work(_control: TaskControl) -> str:
        release.wait(5)  # returns normally: the token is not consulted
        return "done"

    task = run_task(owner, work)
    if cancel_first:
        seen: list[str] = []
        task.succeeded.connect(lambda _v: seen.append("succeeded"))
        task.failed.connect(lambda _e: seen.append("failed"))
        task.cancelled.connect(lambda: seen.append("cancelled"))
        task.finished.connect(lambda: seen.append("finished"))
        task.cancel()
        task.cancel()  # a second cancel announces nothing more
        release.set()  # the worker now returns its result, which must be dropped
        qtbot.waitUntil(lambda: running_task_count() == 0, timeout=5000)
        QApplication.processEvents()
        QApplication.processEvents()
        assert seen == ["cancelled", "finished"]
        return
    release.set()
    with qtbot.waitSignal(task.succeeded, timeout=5000):
        pass
    with qtbot.assertNotEmitted(task.cancelled):
        task.cancel()


def test_garbage_is_collected_on_the_gui_thread_only(qtbot: QtBot) -> None:
    import gc

    from app.gui.application import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector(interval_ms=10)
    gc.enable()  # as in the program, before the collector takes over
    collector.start()
    try:
        assert not gc.isenabled()  # no thread can trigger a collection by allocating
        before = gc.get_count()[0]
        junk: list[list[object]] = [[] for _ in range(gc.get_threshold()[0] + 100)]
        for item in junk:
            item.append(item)  # cycles only the collector can free
        del junk
        assert gc.get_count()[0] > before
        qtbot.waitUntil(lambda: gc.get_count()[0] < before + 100, timeout=5000)
    finally:
        collector.stop()
    assert gc.isenabled()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen
def test_a_failure_without_handler_is_shown(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QMessageBox

    owner = QWidget()
    qtbot.addWidget(owner)

    def work(_control: TaskControl) -> None:
        raise OSError("the keyring daemon is not answering")

    task = run_task(owner, work)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    boxes = owner.findChildren(QMessageBox, "task-failure")
    assert len(boxes) == 1
    assert "the keyring daemon is not answering" in boxes[0].text()
    assert boxes[0].isVisible()


def test_a_failure_with_a_handler_shows_no_box(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QMessageBox

    owner = QWidget()
    qtbot.addWidget(owner)
    errors: list[BaseException] = []

    def work(_control: TaskControl) -> None:
        raise OSError("handled")

    task = run_task(owner, work, on_failure=errors.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert [str(e) for e in errors] == ["handled"]
    assert owner.findChildren(QMessageBox, "task-failure") == []


def _state(flight: SingleFlight) -> tuple[bool, bool]:
    return flight.running, flight.queued


class _Gate:
    """Starts tasks that wait until released, and records what each one saw when it started."""

    def __init__(self, owner: QWidget) -> None:
        self.owner = owner
        self.value = 0
        self.started: list[int] = []
        self.results: list[int] = []
        self.releases: list[threading.Event] = []

    def start(self) -> Task[int]:
        value, release = self.value, threading.Event()
        self.started.append(value)
        self.releases.append(release)

        def wait_for_release(control: TaskControl) -> int:
            while not release.wait(0.01):
                if control.token.cancelled:
                    raise Cancelled()
            return value

        return run_task(self.owner, wait_for_release, on_success=self.results.append)


def test_single_flight_runs_once_more_with_the_latest_state(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    gate = _Gate(owner)
    flight = SingleFlight(owner, gate.start)
    settled: list[bool] = []
    flight.settled.connect(lambda: settled.append(True))
    flight.request()
    for value in (1, 2, 3):  # three requests while the first runs collapse into one more run
        gate.value = value
        flight.request()
    assert gate.started == [0]
    assert _state(flight) == (True, True)  # running, queued
    gate.releases[0].set()
    qtbot.waitUntil(lambda: len(gate.started) == 2, timeout=5000)
    assert gate.started == [0, 3]  # the run after reads the state as it is then
    assert settled == []
    gate.releases[1].set()
    qtbot.waitUntil(lambda: bool(settled), timeout=5000)
    assert gate.results == [0, 3]
    assert _state(flight) == (False, False)


def test_single_flight_replace_cancels_the_running_task(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    gate = _Gate(owner)
    flight = SingleFlight(owner, gate.start, replace=True)
    settled: list[bool] = []
    flight.settled.connect(lambda: settled.append(True))
    flight.request()
    gate.value = 1
    flight.request()
    assert gate.started == [0, 1]  # started at once, not after the first
    for release in gate.releases:
        release.set()
    qtbot.waitUntil(lambda: bool(settled), timeout=5000)
    qtbot.waitUntil(lambda: running_task_count() == 0, timeout=5000)
    QApplication.processEvents()
    assert gate.results == [1]  # the replaced task's result is dropped
    assert settled == [True]  # once: the replaced task's end is not the flight's


def test_single_flight_ends_when_its_task_is_cancelled_from_outside(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    gate = _Gate(owner)
    tasks: list[Task[int]] = []

    def start() -> Task[int]:
        tasks.append(gate.start())
        return tasks[-1]

    flight = SingleFlight(owner, start)
    flight.request()
    flight.request()  # queued
    with qtbot.waitSignal(flight.settled, timeout=5000):
        tasks[0].cancel()  # as a wizard page that stops waiting
    assert gate.started == [0]  # the queued request was dropped, not run
    assert _state(flight) == (False, False)
    qtbot.waitUntil(lambda: running_task_count() == 0, timeout=5000)
