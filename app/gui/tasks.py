"""The one way the GUI runs work in the background and comes back on the GUI thread.

Like Anki's `QueryOp`: a Qt-free callable (a blocking core call, sync httpx inside) runs on a
`QThreadPool` thread; its result, its exception or its progress reports come back as Qt signals
emitted on the GUI thread, where widgets may be touched::

    task = run_task(
        self,                                             # the owner widget
        lambda ctl: check_credentials(url, key, cancel=ctl.token),
        on_success=self._show_result,
        on_failure=self._show_error,
    )
    cancel_button.clicked.connect(task.cancel)

Rules the helper enforces, so callers cannot get them wrong:

- The callable must not touch Qt; it gets a `TaskControl` (`token`, `progress(value)`) and nothing
  else.
- `cancel()` makes the UI stop waiting at once: `running` is False on return and no result is
  delivered afterwards. `cancelled` and `finished` follow from the event loop, never from inside
  `cancel()`, so a caller's handler does not run in the middle of the caller (re-entrancy). The
  task's `CancelToken` is cancelled too, which closes the core's in-flight httpx client, so the
  worker thread ends soon after.
- A task is a child of its owner. When the owner is destroyed, the token is cancelled and no
  callback is ever made into the dead object.
- A failure nobody handles is shown: without `on_failure`, the owner's window gets a message box
  (Anki's `QueryOp` does the same), so no page waits for ever on work that failed in silence.

`SingleFlight` is "one at a time, latest wins" for work that is asked for again while it runs (a
refresh, a sort, a poll).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread, QThreadPool, Signal, Slot

from app.core.cancel import Cancelled, CancelToken

T = TypeVar("T")

log = logging.getLogger(__name__)

__all__ = ["SingleFlight", "Task", "TaskControl", "run_task", "running_task_count"]


class TaskControl:
    """What the background callable may use: the cancel token and a progress reporter."""

    def __init__(self, token: CancelToken, report: Callable[[object], None]) -> None:
        self.token = token
        self._report = report

    def progress(self, value: object) -> None:
        """Send `value` to the GUI thread (`Task.progressed`); dropped once cancelled."""
        if not self.token.cancelled:
            self._report(value)

    def raise_if_cancelled(self) -> None:
        self.token.raise_if_cancelled()


class Task(QObject, Generic[T]):
    """A background call owned by a widget. Signals are emitted on the GUI thread only."""

    succeeded = Signal(object)  # the callable's return value
    failed = Signal(
        object
    )  # the exception it raised (core exceptions carry plain, secret-free text)
    progressed = Signal(object)  # whatever the callable passed to `TaskControl.progress`
    cancelled = Signal()
    finished = Signal()  # always last: after succeeded, failed or cancelled

    def __init__(self, owner: QObject) -> None:
        super().__init__(owner)
        self.token = CancelToken()
        self._done = False
        # When the owner (and with it this child) is destroyed, stop the worker's network call.
        self.destroyed.connect(self.token.cancel)

    @property
    def running(self) -> bool:
        """True until the result was delivered or the task was cancelled."""
        return not self._done

    @Slot()
    def cancel(self) -> None:
        """Stop waiting now; the worker is told through the token and its result is dropped.

        `cancelled` then `finished` are posted to the event loop, not emitted from here.
        """
        if self._done:
            return
        self._done = True
        self.token.cancel()

        def announce() -> None:
            if shiboken6.isValid(self):
                self.cancelled.emit()
                self.finished.emit()

        _dispatcher().call.emit(announce)  # a queued connection: runs after this call returns

    # -- delivery, on the GUI thread -------------------------------------------------------------
    def _deliver_progress(self, value: object) -> None:
        if not self._done:
            self.progressed.emit(value)

    def _deliver_result(self, ok: bool, value: object) -> None:
        if self._done:
            return
        self._done = True
        if ok:
            self.succeeded.emit(value)
        else:
            self.failed.emit(value)
        self.finished.emit()


def run_task(
    owner: QObject,
    work: Callable[[TaskControl], T],
    *,
    on_success: Callable[[T], Any] | None = None,
    on_failure: Callable[[BaseException], Any] | None = None,
    on_progress: Callable[[Any], Any] | None = None,
    on_finished: Callable[[], Any] | None = None,
    pool: QThreadPool | None = None,
) -> Task[T]:
    """Run `work` on `pool` (the global pool by default); call back on the GUI thread.

    Must be called on the GUI thread. The callbacks are connected to the task's signals, so a bound
    method of a destroyed owner is never called: the task is destroyed with its owner.
    """
    _require_gui_thread()
    task: Task[T] = Task(owner)
    if on_success is not None:
        task.succeeded.connect(on_success)
    task.failed.connect(on_failure if on_failure is not None else _show_unhandled(owner))
    if on_progress is not None:
        task.progressed.connect(on_progress)
    if on_finished is not None:
        task.finished.connect(on_finished)

    dispatcher = _dispatcher()
    token = task.token

    def post(deliver: Callable[[Task[T]], None]) -> None:
        # Runs on the worker thread: only hands a closure to the GUI thread's dispatcher.
        def on_gui_thread() -> None:
            if shiboken6.isValid(task) and shiboken6.isValid(owner):
                deliver(task)

        # RuntimeError: the application is gone (shutdown), so nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            dispatcher.call.emit(on_gui_thread)

    control = TaskControl(token, lambda value: post(lambda t: t._deliver_progress(value)))

    def execute() -> None:
        ok: bool
        value: object
        try:
            ok, value = True, work(control)
        except Exception as exc:  # delivered as `failed`; Cancelled too, unless the UI cancelled
            if not isinstance(exc, Cancelled):
                log.debug("background task failed", exc_info=True)
            # Without its traceback: frames would tie this closure (and so the owner's Python
            # wrapper) into a reference cycle, which the garbage collector might then free on
            # this worker thread.
            ok, value = False, exc.with_traceback(None)
        try:
            if not token.cancelled:
                post(lambda t: t._deliver_result(ok, value))
        finally:
            _count(-1)  # after posting, so "no task running" also means "nothing left to post"

    _count(+1)
    (pool or QThreadPool.globalInstance()).start(execute)
    return task


class SingleFlight(QObject):
    """One task at a time for one purpose, and the latest request wins.

    `request()` while a task runs is remembered, and one more task starts when it ends (requests
    meanwhile collapse into that one); `start` builds it from the state at that moment, so the
    run reflects the latest request. With `replace=True` a request cancels the running task and
    starts at once instead (its result is no longer wanted: a new sort order). `start` may return
    None when there is nothing to do. `settled` is emitted when a task ended and none follows; a
    task cancelled from outside (a page that stops waiting) ends the flight and drops what was
    queued.
    """

    settled = Signal()

    def __init__(
        self,
        owner: QObject,
        start: Callable[[], Task[Any] | None],
        *,
        replace: bool = False,
    ) -> None:
        super().__init__(owner)
        self._start = start
        self._replace = replace
        self._task: Task[Any] | None = None
        self._queued = False

    @property
    def running(self) -> bool:
        """A task of this flight is running (its result not yet delivered)."""
        return self._task is not None and self._task.running

    @property
    def queued(self) -> bool:
        """A request waits for the running task to end."""
        return self._queued

    def request(self) -> None:
        """Run now, or (while one runs) once more after it; `replace=True`: instead of it."""
        if self.running:
            if not self._replace:
                self._queued = True
                return
            self.cancel()
        self._launch()

    def cancel(self) -> None:
        """Drop a queued request and cancel the running task; `settled` is not emitted."""
        self._queued = False
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    def _launch(self) -> None:
        self._queued = False
        task = self._task = self._start()
        if task is None:
            self.settled.emit()
            return
        task.finished.connect(lambda: self._ended(task))

    def _ended(self, task: Task[Any]) -> None:
        if task is not self._task:
            return  # a task this flight cancelled or replaced: its end means nothing any more
        self._task = None
        if self._queued and not task.token.cancelled:
            self._launch()
            return
        self._queued = False
        self.settled.emit()


# ---------------------------------------------------------------- internals
def _show_unhandled(owner: QObject) -> Callable[[BaseException], None]:
    """The failure handler of a task started without one: say so in a message box."""

    def show(error: BaseException) -> None:
        if isinstance(error, Cancelled):
            return  # the work was told to stop: nothing went wrong
        log.warning("background task failed: %s", type(error).__name__)
        from PySide6.QtCore import Qt  # not at import: `Qt` enums take ~50 ms to build
        from PySide6.QtWidgets import QMessageBox, QWidget

        parent = owner if isinstance(owner, QWidget) else None
        probe = owner.parent()
        while parent is None and probe is not None:
            parent = probe if isinstance(probe, QWidget) else None
            probe = probe.parent()
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("Task", "Something went wrong"),
            # The core's exceptions carry plain, cleaned, secret-free text; shown as plain text.
            QCoreApplication.translate("Task", "This could not be done: {0}").format(
                str(error) or type(error).__name__
            ),
            QMessageBox.StandardButton.Close,
            parent.window() if parent is not None else None,
        )
        box.setObjectName("task-failure")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    return show


class _Dispatcher(QObject):
    """Lives on the GUI thread; runs closures posted from worker threads (a queued connection)."""

    call = Signal(object)

    def __init__(self, parent: QObject | None) -> None:
        from PySide6.QtCore import Qt  # not at import: `Qt` enums take ~50 ms to build

        super().__init__(parent)
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, closure: Callable[[], None]) -> None:
        closure()


_dispatcher_instance: _Dispatcher | None = None
_running = 0
_running_lock = threading.Lock()


def _dispatcher() -> _Dispatcher:
    global _dispatcher_instance
    if _dispatcher_instance is None or not shiboken6.isValid(_dispatcher_instance):
        _dispatcher_instance = _Dispatcher(QCoreApplication.instance())
    return _dispatcher_instance


def _require_gui_thread() -> None:
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("run_task needs a QApplication")
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("run_task must be called on the GUI thread")


def _count(delta: int) -> None:
    global _running
    with _running_lock:
        _running += delta


def running_task_count() -> int:
    """Callables started by `run_task` that have not returned yet (tests check it is 0)."""
    with _running_lock:
        return _running
