"""`RefreshSchedule`: when the members window reads the organization again.

Now when asked (a button, a confirm that ended, another profile), then every interval after the
last refresh ended; one refresh at a time, a request during one runs right after it
(`SingleFlight`); a 429's Retry-After longer than the interval postpones the next one. The window
builds and applies each refresh; this module only decides when.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from app.gui.tasks import SingleFlight, Task

DEFAULT_REFRESH_SECONDS = 30
_SETTINGS_REFRESH = "members/refresh_seconds"


def saved_interval() -> int:
    """The admin's interval in seconds (QSettings), else the default."""
    saved = str(QSettings().value(_SETTINGS_REFRESH, DEFAULT_REFRESH_SECONDS))
    return int(saved) if saved.isdigit() else DEFAULT_REFRESH_SECONDS


class RefreshSchedule(QObject):
    """Starts refreshes through `start` (which returns the refresh's task) at the right times."""

    #: A refresh ended (or was not needed) and none follows at once; the timer runs again.
    settled = Signal()

    def __init__(self, parent: QObject, start: Callable[[], Task[Any] | None]) -> None:
        super().__init__(parent)
        self._interval_s = saved_interval()
        self._backoff_ms = 0
        self._stopped = False
        self._flight = SingleFlight(self, start)
        self._flight.settled.connect(self._settled)
        self._timer = QTimer(self)
        self._timer.setObjectName("members-refresh")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.request)

    @property
    def interval(self) -> int:
        """Seconds between the end of one refresh and the start of the next."""
        return self._interval_s

    @property
    def running(self) -> bool:
        return self._flight.running

    @property
    def timer(self) -> QTimer:
        """The timer of the next automatic refresh (tests read its remaining time)."""
        return self._timer

    def set_interval(self, seconds: int) -> None:
        """Use and save a new interval; a waiting timer restarts with it."""
        self._interval_s = seconds
        QSettings().setValue(_SETTINGS_REFRESH, seconds)
        if self._timer.isActive():
            self._timer.start(seconds * 1000)

    def request(self) -> None:
        """Refresh now, or right after the refresh that is running."""
        if self._stopped:
            return
        self._timer.stop()
        self._flight.request()

    def back_off(self, seconds: float) -> None:
        """The server asked to wait (429 Retry-After): the next refresh waits at least that long."""
        self._backoff_ms = int(seconds * 1000)

    def cancel(self) -> None:
        """Forget the running refresh and the timer (another profile is about to be shown).

        `settled` is not emitted; the caller's next `request` starts afresh.
        """
        self._flight.cancel()
        self._timer.stop()
        self._backoff_ms = 0

    def stop(self) -> None:
        """For good (the window closes): no timer, the running refresh cancelled."""
        self._stopped = True
        self._timer.stop()
        self._flight.cancel()

    def _settled(self) -> None:
        self.settled.emit()
        if self._stopped:
            return
        self._timer.start(max(self._interval_s * 1000, self._backoff_ms))
        self._backoff_ms = 0
