"""The members window shows a refresh's rows first and writes its sighting to the history after.

The write is held on a `threading.Event` (the history's own `_write`, otherwise real SQLite), so
each test sees the moment between the two: what is shown, what is written, and what a close or a
failed write in between does.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.core.history import History, StatusChange
from app.core.public_api import MemberStatus
from app.gui.context import AppContext
from app.gui.members.rows import RowStatus
from app.gui.members.window import MembersWindow
from tests.gui.test_members_window import PROFILE, WAIT_MS, save_profile

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def held_write(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """History writes wait until the event is set (always set at the end, so no thread hangs)."""
    release = threading.Event()
    write = History._write

    def held(self: History, profile: str, changes: list[StatusChange], at: datetime) -> None:
        assert release.wait(WAIT_MS / 1000)
        write(self, profile, changes, at)

    monkeypatch.setattr(History, "_write", held)
    yield release
    release.set()


def shown(qtbot: QtBot, ctx: AppContext) -> MembersWindow:
    window = MembersWindow(ctx, PROFILE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        window.show()
    return window


def invited_since(window: MembersWindow) -> dict[str, datetime | None]:
    return {r.id: r.first_seen_waiting for r in window.model.rows if r.status is RowStatus.INVITED}


def test_the_rows_are_shown_before_the_first_sighting_is_written_with_the_same_times(
    qtbot: QtBot, demo_context: AppContext, held_write: threading.Event
) -> None:
    save_profile(demo_context)
    history = demo_context.history
    window = shown(qtbot, demo_context)  # would time out if the write came first
    waiting = invited_since(window)
    assert waiting
    assert len(set(waiting.values())) == 1  # one sighting, one time
    assert None not in waiting.values()
    assert history.first_seen_all(PROFILE, MemberStatus.INVITED) == {}  # not written yet
    with qtbot.waitSignal(window.history_recorded, timeout=WAIT_MS):
        held_write.set()
    assert history.first_seen_all(PROFILE, MemberStatus.INVITED) == waiting
    assert not window.error_banner.isVisible()


def test_a_window_closed_before_the_write_finished_loses_nothing(
    qtbot: QtBot, demo_context: AppContext, held_write: threading.Event
) -> None:
    save_profile(demo_context)
    window = shown(qtbot, demo_context)
    waiting = invited_since(window)
    window.close()
    held_write.set()
    assert QThreadPool.globalInstance().waitForDone(WAIT_MS)
    assert demo_context.history.first_seen_all(PROFILE, MemberStatus.INVITED) == waiting


def test_a_refresh_asked_for_during_the_write_reads_what_it_wrote(
    qtbot: QtBot, demo_context: AppContext, held_write: threading.Event
) -> None:
    save_profile(demo_context)
    window = shown(qtbot, demo_context)
    waiting = invited_since(window)
    window._first_seen.clear()  # the next refresh reads every time back from the history
    window.refresh_now()  # runs after the running refresh (and so its write) ended
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        held_write.set()
    assert invited_since(window) == waiting
    assert window.model.touched == frozenset()  # nobody looked new or changed the second time


def test_a_failed_history_write_is_said_after_the_rows(
    qtbot: QtBot, demo_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def failing(*_args: object) -> None:
        assert release.wait(WAIT_MS / 1000)
        raise sqlite3.OperationalError("database or disk is full")

    failing_write: Callable[..., None] = failing
    monkeypatch.setattr(History, "_write", failing_write)
    save_profile(demo_context)
    try:
        window = shown(qtbot, demo_context)
        assert window.model.rowCount()
        assert not window.error_banner.isVisible()
        with qtbot.waitSignal(window.history_recorded, timeout=WAIT_MS):
            release.set()
    finally:
        release.set()
    assert window.error_banner.isVisible()
    assert "database or disk is full" in window.error_banner.text()
    assert "statuses shown are current" in window.error_banner.text()
