"""QApplication setup: names (for QSettings and the desktop), high-DPI policy, icon, native style.

The style is left native on purpose: the wizard should look like the admin's other dialogs on each
OS.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QObject, QTimer
from PySide6.QtWidgets import QApplication

from app import APP_NAME, DESKTOP_ID, ORG_NAME, __version__
from app.gui.worker_hold import collection_paused


def create_application(argv: Sequence[str] | None = None, *, icon: bool = True) -> QApplication:
    """Return the process's QApplication, creating and configuring it on first call.

    `icon=False` leaves the window icon to `set_icon` (decoding its PNGs costs ~35 ms, which the
    demo spends after the first page has painted).
    """
    existing = QCoreApplication.instance()
    if isinstance(existing, QApplication):
        configure(existing, icon=icon)
        return existing
    # High DPI: Qt 6 scales by default with the PassThrough rounding policy, so fractional
    # scaling (150 %) stays crisp; nothing to set (and `Qt.*` enums cost ~50 ms to load).
    app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    configure(app, icon=icon)
    if qt_binding_drops_none():
        sys.stderr.write(BINDING_WARNING.format(qt_binding_version(), sys.version.split()[0]))
    return app


#: Said on stderr at start when `qt_binding_drops_none()`: pip's constraint keeps such a binding
#: out of a normal install, but a distribution's package or a manual upgrade may bring it back.
BINDING_WARNING = (
    "warning: PySide6 {0} on Python {1} loses a reference to None with every Qt call that "
    'returns nothing, and the program will abort after an hour or two ("none_dealloc"). '
    "Install PySide6 older than 6.12 (pip install 'pyside6<6.12'), or use Python 3.12 or later.\n"
)


def qt_binding_version() -> str:
    import PySide6

    return str(PySide6.__version__)


def qt_binding_drops_none() -> bool:
    """True when the Qt binding drops a reference to None with each call that returns nothing,
    as PySide6 6.12 does: Python 3.12+ makes None immortal, Python 3.11 aborts once its count
    reaches zero (measured: the members window after ~190 refreshes). Costs microseconds."""
    if sys.version_info >= (3, 12):
        return False  # None is immortal there: the lost references cost nothing
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 32


def configure(app: QApplication, *, icon: bool = True) -> None:
    """Names and icon; idempotent, so tests can apply it to pytest-qt's application."""
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    # The desktop entry's name (without .desktop): Wayland matches windows to it, for the icon too.
    app.setDesktopFileName(DESKTOP_ID)
    if icon:
        set_icon(app)


class MainThreadGarbageCollector(QObject):
    """Runs Python's cyclic garbage collector on the GUI thread only, from a timer.

    Left automatic, the collector runs in whichever thread happens to allocate, and may then free
    Qt objects caught in reference cycles from a worker thread, which crashes Qt. pyqtgraph's
    `GarbageCollector` does the same for the same reason.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        import gc

        super().__init__(parent)
        self._gc = gc
        self._timer = QTimer(self)
        self._timer.setObjectName("main-thread-gc")
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        self._gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._gc.enable()

    def collect(self) -> None:
        """Collect the generations whose thresholds were passed, as automatic collection would,
        except while a worker builds a large member list (`worker_hold`): a full collection then
        walks half a million new objects on the GUI thread (the 100k refresh's worst frame gap)."""
        if collection_paused():
            return
        gc = self._gc
        first, second, third = gc.get_threshold()
        counts = gc.get_count()
        if counts[0] > first:
            generation = 2 if counts[2] > third else 1 if counts[1] > second else 0
            gc.collect(generation)


def set_icon(app: QApplication | None = None) -> None:
    """The program's icon for every window."""
    target = app or QApplication.instance()
    if isinstance(target, QApplication):
        from app.gui.icons import app_icon  # importlib.resources and PNG decoding: ~35 ms

        target.setWindowIcon(app_icon())
