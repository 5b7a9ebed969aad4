"""Keep the GUI thread responsive while a worker builds a large member list (refresh or sort).

Two process-wide settings change for as long as any such worker runs:

- **The cyclic garbage collector waits.** A 100,000-member refresh allocates about half a million
  objects on a worker thread. Each full collection the allocations trigger walks every tracked
  object while holding the GIL, so the GUI thread froze for up to 2.5 s (measured in the demo).
  Afterwards, for large organizations, the surviving objects (the rows shown) are moved to the
  permanent generation (`gc.freeze`) so later collections skip them. One refresh leaves about 170
  objects of cyclic garbage (measured), so freezing leaks nothing that matters; the rows themselves
  are freed by reference counting when a later refresh replaces them.
- **The GIL switch interval is short.** Painting the table calls Python once per visible cell, and
  each call must take the GIL from the worker. CPython makes a waiting thread wait the switch
  interval (5 ms) before the holder must let go, so a repaint of ~200 cells during a 100,000-row
  sort took over 100 ms (bench: sort stall), and the clock's repaint during a refresh up to 120 ms.
  A shorter interval only matters while threads compete for the GIL.
"""

from __future__ import annotations

import gc
import sys
import threading

#: Freeze the survivors only for organizations at least this large; small ones cost nothing.
FREEZE_FROM_ROWS = 10_000
#: The switch interval while a holder is active (CPython's default is 5 ms).
SHORT_INTERVAL_S = 0.0001

_lock = threading.Lock()
_holders = 0
_gc_was_enabled = True
_previous_interval = 0.005


def collection_paused() -> bool:
    """Whether a holder is active: the GUI thread's scheduled collection (the program's
    `MainThreadGarbageCollector`) waits too, or it would walk the worker's objects mid-build."""
    return _holders > 0


class WorkerHold:
    """One holder's share of both settings; idempotent, so every exit path may call `release`.

    The first holder to acquire changes them; the last to release restores what was there before.
    """

    def __init__(self) -> None:
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    def acquire(self) -> None:
        global _holders, _gc_was_enabled, _previous_interval
        if self._held:
            return
        self._held = True
        with _lock:
            if _holders == 0:
                _gc_was_enabled = gc.isenabled()
                gc.disable()
                _previous_interval = sys.getswitchinterval()
                sys.setswitchinterval(SHORT_INTERVAL_S)
            _holders += 1

    def release(self, *, freeze: bool = False) -> None:
        global _holders
        if not self._held:
            return
        self._held = False
        with _lock:
            _holders -= 1
            if _holders == 0:
                sys.setswitchinterval(_previous_interval)
                if freeze:
                    gc.freeze()
                if _gc_was_enabled:
                    gc.enable()
