"""Single instance per user: real local sockets, a real second process, no mocks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.gui.single_instance import (
    InstanceGuard,
    acquire_or_forward,
    bring_to_front,
    server_name,
)

ROOT = Path(__file__).resolve().parents[2]
unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files")


@pytest.fixture
def name(isolated_home: Path) -> str:
    """The user's socket name inside this test's private XDG_RUNTIME_DIR."""
    return server_name()


@pytest.fixture
def first(name: str) -> Iterator[InstanceGuard]:
    guard = acquire_or_forward(name)
    assert guard is not None
    assert guard.listening
    yield guard
    guard.close()
    guard.deleteLater()


def test_second_launch_in_this_process_forwards_to_the_first(
    qtbot: QtBot, name: str, first: InstanceGuard
) -> None:
    with qtbot.waitSignal(first.activation_requested, timeout=5000):
        assert acquire_or_forward(name) is None


def test_second_launch_from_another_process_forwards_and_exits(
    qtbot: QtBot, name: str, first: InstanceGuard
) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QCoreApplication
        from app.gui.single_instance import acquire_or_forward
        app = QCoreApplication([])
        sys.exit(0 if acquire_or_forward({name!r}) is None else 5)
        """
    )
    with qtbot.waitSignal(first.activation_requested, timeout=10000):
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=os.environ.copy(), timeout=60, check=False
        )
    assert done.returncode == 0


@pytest.mark.slow
def test_the_demo_smoke_test_never_attaches_to_a_running_copy(
    qtbot: QtBot, first: InstanceGuard
) -> None:
    received: list[None] = []
    first.activation_requested.connect(lambda: received.append(None))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # same user, same runtime dir
    done = subprocess.run(
        [sys.executable, "-m", "app", "--demo", "--smoke-test"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Had it forwarded to the running copy, it would have exited 0 without running the smoke test.
    assert "smoke test: passed" in done.stdout + done.stderr
    QCoreApplication.processEvents()
    assert received == []


def test_a_message_other_than_activate_is_ignored(
    qtbot: QtBot, name: str, first: InstanceGuard
) -> None:
    received: list[None] = []
    first.activation_requested.connect(lambda: received.append(None))
    junk = QLocalSocket()
    junk.connectToServer(name)
    assert junk.waitForConnected(2000)
    junk.write(b"raise-window-and-run rm -rf\n")
    junk.waitForBytesWritten(2000)
    # The server answers a handled line by disconnecting: await that, then check nothing fired.
    qtbot.waitUntil(lambda: junk.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    assert received == []
    with qtbot.waitSignal(first.activation_requested, timeout=5000):
        assert acquire_or_forward(name) is None
    assert len(received) == 1


@unix_only
def test_a_stale_socket_left_by_a_crashed_copy_is_taken_over(name: str) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(name)
    stale.close()  # the file stays, as after a crash; nothing listens on it
    assert Path(name).exists()
    guard = acquire_or_forward(name, timeout_ms=500)
    try:
        assert guard is not None
        assert guard.listening
    finally:
        assert guard is not None
        guard.close()
    assert not Path(name).exists(), "closing removes the socket so the next launch starts clean"


@unix_only
def test_the_socket_is_private_to_the_user(name: str, first: InstanceGuard) -> None:
    mode = Path(name).stat().st_mode & 0o777
    assert mode & 0o077 == 0, oct(mode)


def test_without_a_usable_socket_the_program_runs_unguarded(tmp_path: Path) -> None:
    guard = acquire_or_forward(str(tmp_path / "missing-dir" / "app.socket"), timeout_ms=200)
    assert guard is not None
    assert not guard.listening
    guard.deleteLater()


def test_the_name_is_per_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert server_name("alice") != server_name("bob")
    assert server_name("alice") == server_name("alice")
    assert "alice" not in server_name("alice")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_RUNTIME_DIR is Linux's")
def test_on_linux_the_socket_lives_in_the_private_runtime_dir(isolated_home: Path) -> None:
    assert Path(server_name()).parent == Path(os.environ["XDG_RUNTIME_DIR"])


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # the offscreen platform
def test_bring_to_front_restores_a_minimized_window(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    bring_to_front(window)
    assert not window.isMinimized()
    assert window.isVisible()
