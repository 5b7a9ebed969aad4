"""One running copy per user: a second launch asks the first to come forward, then exits.

Two copies would edit the same profiles and history behind each other's back, and an admin who
clicks the launcher again usually just lost the window. The first copy listens on a local socket
(QLocalServer: a Unix socket, a named pipe on Windows) whose name is private to the user; a later
launch that can connect to it sends one "activate" line and exits.

Only the real desktop GUI takes part: `--demo`, `--smoke-test`, `screenshots` and tests never call
`acquire_or_forward`, so they never attach to a running copy nor block a later one.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QWidget

from app import APP_ID

log = logging.getLogger(__name__)

#: The one message a second launch sends. Anything else from the socket is ignored.
ACTIVATE = b"activate\n"
#: Bytes read from one connection at most; a well-behaved peer sends len(ACTIVATE).
_MAX_MESSAGE = 64
#: Longest Unix socket path (sun_path is 108 bytes on Linux, 104 on macOS).
_MAX_SOCKET_PATH = 100


def server_name(user: str | None = None) -> str:
    """The user's private socket name.

    On Linux the socket goes into $XDG_RUNTIME_DIR (per user, mode 0700). Elsewhere, or when that is
    unset, it is a name derived from the user (Qt puts it in the per-user temporary folder on macOS,
    in the named-pipe namespace on Windows) and the server accepts only the same user.
    """
    user = user if user is not None else _current_user()
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if sys.platform.startswith("linux") and runtime and Path(runtime).is_dir():
        path = str(Path(runtime) / f"{APP_ID}.socket")
        if len(path.encode()) <= _MAX_SOCKET_PATH:
            return path
    digest = hashlib.sha256(user.encode("utf-8")).hexdigest()[:16]
    return f"{APP_ID}-{digest}"


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, no USER/LOGNAME variables
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


class InstanceGuard(QObject):
    """Kept by the running copy while it runs; `activation_requested` fires on a second launch."""

    activation_requested = Signal()

    def __init__(self, server: QLocalServer | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = server
        if server is not None:
            server.setParent(self)
            server.newConnection.connect(self._accept)

    @property
    def listening(self) -> bool:
        """False when the socket could not be created: the program then runs unguarded."""
        return self._server is not None and self._server.isListening()

    @property
    def name(self) -> str | None:
        return self._server.fullServerName() if self._server is not None else None

    def close(self) -> None:
        """Stop listening and remove the socket, so the next launch starts normally."""
        if self._server is not None:
            self._server.close()

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            connection = self._server.nextPendingConnection()
            connection.setParent(self)
            connection.readyRead.connect(lambda c=connection: self._read(c))
            connection.disconnected.connect(lambda c=connection: self._finish(c))
            if connection.bytesAvailable():
                self._read(connection)

    def _read(self, connection: QLocalSocket) -> None:
        if connection.property("handled"):
            connection.readAll()  # drain: at most one activation per connection
            return
        if connection.bytesAvailable() > _MAX_MESSAGE:
            connection.abort()
            return
        if connection.canReadLine():
            line = bytes(connection.readLine(_MAX_MESSAGE).data())
            connection.setProperty("handled", True)
            if line == ACTIVATE:
                self.activation_requested.emit()
            connection.disconnectFromServer()

    def _finish(self, connection: QLocalSocket) -> None:
        if connection.bytesAvailable():
            self._read(connection)
        connection.deleteLater()


def acquire_or_forward(
    name: str | None = None, *, timeout_ms: int = 2000, parent: QObject | None = None
) -> InstanceGuard | None:
    """Become this user's running copy, or hand over to the one that runs.

    Returns the guard to keep (connect `activation_requested` to `bring_to_front`), or None when
    another copy answered: it has been asked to come forward and the caller should exit 0. Needs the
    QApplication to exist. When no socket can be made the program runs anyway, unguarded.
    """
    name = name if name is not None else server_name()
    if _forward(name, timeout_ms):
        return None
    server = QLocalServer()
    server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    if not server.listen(name):
        # Either a copy started at this very moment (then forward to it), or a crashed run left its
        # socket file behind: nobody answers on it, so it is safe to remove.
        if _forward(name, timeout_ms):
            return None
        QLocalServer.removeServer(name)
        if not server.listen(name):
            log.warning("cannot guard against a second copy: %s", server.errorString())
            return InstanceGuard(None, parent)
    guard = InstanceGuard(server, parent)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(guard.close)
    return guard


def _forward(name: str, timeout_ms: int) -> bool:
    """Ask the copy listening on `name` to come forward; False when nobody listens there."""
    client = QLocalSocket()
    client.connectToServer(name)
    if not client.waitForConnected(timeout_ms):
        return False
    client.write(ACTIVATE)
    client.waitForBytesWritten(timeout_ms)
    client.disconnectFromServer()
    if client.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        client.waitForDisconnected(timeout_ms)
    return True


def bring_to_front(window: QWidget | None = None) -> None:
    """Restore, raise and activate `window` (default: the active or last visible main window).

    Window managers may refuse to hand focus to an app the user is not interacting with (Wayland,
    Windows' foreground lock); the window then asks for attention in the task bar instead.
    """
    if window is None:
        window = _main_window()
        if window is None:
            return
    if window.isMinimized():
        window.setWindowState(
            (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
    window.show()
    window.raise_()
    window.activateWindow()
    QApplication.alert(window)


def _main_window() -> QWidget | None:
    active = QApplication.activeWindow()
    if active is not None:
        return active
    windows = [w for w in QApplication.topLevelWidgets() if w.isWindow() and w.isVisible()]
    minimized = [w for w in QApplication.topLevelWidgets() if w.isWindow() and w.isMinimized()]
    candidates = windows or minimized
    return candidates[-1] if candidates else None
