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
from app.gui.tasks import TaskControl, run_task, running_task_count


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

    task = run_task(owner, work)
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
    with qtbot.waitSignals([task.cancelled, task.finished], timeout=100):
        task.cancel()  # emitted synchronously: nothing to wait for
    assert task.token.cancelled
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
    task = run_task(owner, lambda _c: "done")
    if cancel_first:
        task.cancel()
        qtbot.waitUntil(lambda: running_task_count() == 0, timeout=5000)
        QApplication.processEvents()
        assert not task.running
        return
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
