"""GUI test fixtures: Qt hygiene checks (napari-style) and a demo context against a live sandbox.

`qt_hygiene` (autouse) fails a test that leaves background work or a timer behind: after the test it
closes the remaining windows (as a person would, so their close handlers stop timers and tasks),
then requires the global QThreadPool to be idle, every `run_task` callable to have returned, every
`QTimer.start`ed timer to be stopped and every `QTimer.singleShot` to have fired. Such leftovers
would call into the next test's widgets or crash the run at exit.
"""

from __future__ import annotations

import errno
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QThreadPool, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.gui.application import MainThreadGarbageCollector, configure
from app.gui.context import AppContext, Stores
from app.gui.tasks import running_task_count
from tests.fixtures.hostile_server import HostileServer, behaviours

if TYPE_CHECKING:
    from app.gui.demo import Demo
    from app.gui.wizard.assignments import AssignmentsPage
    from app.gui.wizard.save import SavePage
    from app.gui.wizard.wizard import SetupWizard

#: How long a test waits for the GUI to react (a check, a save, a poll).
WAIT_MS = 10_000

#: `bw serve`'s default port, where a stranger's look-alike may listen.
BW_SERVE_DEFAULT_PORT = 8087

#: How long a finished test may take to let its own background work end (cancelled calls included).
_SETTLE_MS = 5000


@pytest.fixture(autouse=True)
def qt_hygiene(qapp: QApplication, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    configure(qapp)
    started: list[QTimer] = []
    pending_shots: list[int] = [0]

    original_start = QTimer.start

    def tracked_start(timer: QTimer, *args: Any) -> None:
        started.append(timer)
        original_start(timer, *args)

    original_single_shot = QTimer.singleShot

    def tracked_single_shot(*args: Any) -> None:
        if len(args) == 2 and callable(args[1]):
            msec, callback = args
            pending_shots[0] += 1

            def fire() -> None:
                pending_shots[0] -= 1
                callback()

            original_single_shot(msec, fire)
        else:  # receiver/slot forms die with their receiver; nothing to track
            original_single_shot(*args)

    monkeypatch.setattr(QTimer, "start", tracked_start)
    # Closing a wizard with unsaved work asks first (a modal box); the windows a test leaves open
    # are closed as an admin who answers "Close anyway" would. Tests of the question restore it.
    from app.gui.wizard.wizard import SetupWizard

    monkeypatch.setattr(SetupWizard, "confirm_discard", lambda _self, _lost: True)
    monkeypatch.setattr(QTimer, "singleShot", staticmethod(tracked_single_shot))
    # Free the cyclic garbage of earlier tests here, on the GUI thread, then collect as the program
    # does (`MainThreadGarbageCollector`: automatic collection off, a GUI-thread timer collects).
    # Left automatic, a collection that a worker thread's allocation triggers may free a Qt object
    # caught in a cycle on that thread, which crashes Qt (seen: a segfault in test_wizard_failures
    # under load, a check worker connecting while the GUI thread processed events).
    gc.collect()
    collector = MainThreadGarbageCollector(qapp)
    collector.start()
    try:
        yield
        _settle(qtbot, started, pending_shots, collector)
    finally:
        collector.stop()
        collector.deleteLater()
        gc.collect()


def _settle(
    qtbot: QtBot,
    started: list[QTimer],
    pending_shots: list[int],
    collector: MainThreadGarbageCollector,
) -> None:
    """Close what is open, wait for background work, and fail on anything left running."""
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    pool = QThreadPool.globalInstance()
    idle = pool.waitForDone(_SETTLE_MS)
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    assert idle, "test left QThreadPool work running"
    assert pool.activeThreadCount() == 0, "test left QThreadPool work running"
    assert running_task_count() == 0, "test left a run_task callable running"
    if pending_shots[0]:
        qtbot.waitUntil(lambda: pending_shots[0] == 0, timeout=_SETTLE_MS)
    collector.stop()  # the fixture's own timer; every other one must be stopped by the test
    gc.collect()
    active = [t for t in started if shiboken6.isValid(t) and t.isActive()]
    assert not active, (
        f"test left {len(active)} QTimer(s) running: {[t.objectName() for t in active]}"
    )


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """The demo wiring (in-memory keyring, throwaway profile dir) around its own live sandbox."""
    from app.gui.demo import Demo, create_demo_context, start_sandbox

    ctx = create_demo_context(tmp_path / "demo")
    running = Demo.running(ctx, start_sandbox(seed=7))
    try:
        yield running
    finally:
        running.stop()
        ctx.close()


@pytest.fixture
def demo_context(demo: Demo) -> AppContext:
    """The demo's `AppContext`, with `sandbox_info` of its running sandbox."""
    return demo.ctx


@pytest.fixture
def admin_context(demo: Demo, tmp_path: Path) -> Iterator[AppContext]:
    """A real admin's context (not the demo: nothing prefilled) against the demo's sandbox.

    The keyring is the autouse in-memory one of tests/conftest.py, reached through `keyring` as the
    real program reaches the OS keyring.
    """
    from app.core.history import History
    from app.core.profiles import ProfileStore
    from app.core.secrets import SecretStore

    secrets = SecretStore()
    history = History(path=tmp_path / "admin" / "history.sqlite3")
    profiles = ProfileStore(config_dir=tmp_path / "admin", secrets=secrets, history=history)
    ctx = AppContext(Stores(secrets, profiles, history))
    try:
        yield ctx
    finally:
        ctx.close()


# ---------------------------------------------------------------- driving widgets as a person does
def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """Wait until `button` is enabled, then click it with the mouse."""
    qtbot.waitUntil(button.isEnabled, timeout=WAIT_MS)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def tick(box: QAbstractButton) -> None:
    """Click a checkbox or radio button on its indicator, and check that it took."""
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center() / 4)
    assert box.isChecked(), box.text()


def type_text(widget: QWidget, text: str) -> None:
    """Type `text` key by key into `widget`."""
    QTest.keyClicks(widget, text)


# ---------------------------------------------------------------- walking the prefilled demo wizard
def next_to_save(qtbot: QtBot, wizard: SetupWizard) -> SavePage:
    """From the first page to the save page: the demo prefills, so Next is all it takes."""
    from PySide6.QtWidgets import QWizard

    from app.core.profiles import SetupStep
    from app.gui.wizard.save import SavePage

    nxt = wizard.button(QWizard.WizardButton.NextButton)
    while wizard.current_step() is not SetupStep.SAVE:
        click(qtbot, nxt)
    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    return save


def save_to_assignments(qtbot: QtBot, wizard: SetupWizard, save: SavePage) -> AssignmentsPage:
    """Save, pass the test against the sandbox, tick the Okta checklists, up to the assignments."""
    from PySide6.QtWidgets import QWizard

    from app.gui.wizard.assignments import AssignmentsPage

    nxt = wizard.button(QWizard.WizardButton.NextButton)
    click(qtbot, save.save_button)
    click(qtbot, nxt)  # the test passes against the sandbox
    click(qtbot, nxt)
    for box in wizard.currentPage().checklist.boxes:  # type: ignore[attr-defined]
        tick(box)
    click(qtbot, nxt)
    tick(wizard.currentPage().done_box)  # type: ignore[attr-defined]
    click(qtbot, nxt)
    tick(wizard.currentPage().done_box)  # type: ignore[attr-defined]
    click(qtbot, nxt)
    assignments = wizard.currentPage()
    assert isinstance(assignments, AssignmentsPage)
    return assignments


# ---------------------------------------------------------------- a stranger on bw serve's port
@pytest.fixture
def squatter() -> Iterator[HostileServer]:
    """A stranger's `bw serve` look-alike on 127.0.0.1:8087, claiming to be unlocked."""
    try:
        server = HostileServer(bind_port=BW_SERVE_DEFAULT_PORT)
    except OSError as exc:  # pragma: no cover - the machine's own business
        if exc.errno != errno.EADDRINUSE:
            raise
        pytest.fail("port 8087 is in use on this machine; the test needs to own it")
    template = {"serverUrl": "", "status": "unlocked", "userEmail": "admin@example.com"}
    server.serve(behaviours.json({"success": True, "data": {"template": template}}))
    try:
        yield server
    finally:
        server.stop()
