"""Let the GUI thread take the GIL quickly while a worker refreshes or sorts a large list.

Painting the table calls Python once per visible cell, and each call must take the GIL from the
worker. CPython makes a waiting thread wait the switch interval (5 ms) before the holder must
let go, so a repaint of ~200 cells during a 100,000-row sort took over 100 ms (bench: sort
stall), and the clock's repaint during a refresh up to 120 ms. A shorter interval only matters
while threads compete for the GIL, so it is set for the worker's duration, process-wide, and
restored when the last holder releases it.
"""

from __future__ import annotations

import sys
import threading

#: The switch interval while a holder is active (CPython's default is 5 ms).
SHORT_INTERVAL_S = 0.0001

_lock = threading.Lock()
_holders = 0
_previous = 0.005


class ShortSwitchInterval:
    """One holder's request for the short interval; idempotent, like `gc_pause.GcHold`."""

    def __init__(self) -> None:
        self._held = False

    def acquire(self) -> None:
        global _holders, _previous
        if self._held:
            return
        self._held = True
        with _lock:
            if _holders == 0:
                _previous = sys.getswitchinterval()
                sys.setswitchinterval(SHORT_INTERVAL_S)
            _holders += 1

    def release(self) -> None:
        global _holders
        if not self._held:
            return
        self._held = False
        with _lock:
            _holders -= 1
            if _holders == 0:
                sys.setswitchinterval(_previous)
