"""One daemon thread that fires deadlines: the whole-exchange limit of every HTTP request.

httpx's timeouts bound each phase and each read, not the exchange: a server that sends one header
byte every half second keeps a request alive forever. Every `app.core.http.ExchangeClient` (the
credential check's too) arms a deadline here per exchange; when due, its sockets are shut down.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Deadlines:
    """One daemon thread that fires the total deadline of every exchange.

    A `threading.Timer` per check started and joined a thread per request, which cost 0.3–0.7 ms:
    more than the check's own work against a loopback server (bench/check_overhead.py). Here a
    deadline is a heap entry; the thread wakes only when the earliest one is due or an earlier one
    is added, and a cancelled entry is dropped when it reaches the top (or in a compaction).
    """

    THREAD_NAME = "okta-check-deadlines"  # the name tests/conftest.py allows to outlive a test

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._heap: list[tuple[float, int, list[Callable[[], None] | None]]] = []
        self._order = itertools.count()
        self._live = 0
        self._thread: threading.Thread | None = None

    def call_at(self, when: float, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` on the deadline thread at `when` (monotonic); returns a cancel function.

        After the cancel function returns, the callback is not called (unless it already began).
        """
        entry: list[Callable[[], None] | None] = [callback]
        with self._condition:
            if len(self._heap) > 2 * self._live + 64:  # mostly cancelled entries: compact
                self._heap = [item for item in self._heap if item[2][0] is not None]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (when, next(self._order), entry))
            self._live += 1
            if self._thread is None or not self._thread.is_alive():
                thread = threading.Thread(target=self._run, name=self.THREAD_NAME, daemon=True)
                thread.start()
                self._thread = thread
            elif self._heap[0][2] is entry:
                self._condition.notify()

        def cancel() -> None:
            with self._condition:
                if entry[0] is not None:
                    entry[0] = None
                    self._live -= 1

        return cancel

    def _run(self) -> None:
        with self._condition:
            while True:
                while self._heap and self._heap[0][2][0] is None:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._condition.wait()
                    continue
                when, _, entry = self._heap[0]
                remaining = when - time.monotonic()
                if remaining > 0:
                    self._condition.wait(remaining)
                    continue
                heapq.heappop(self._heap)
                callback, entry[0] = entry[0], None
                self._live -= 1
                if callback is not None:
                    self._condition.release()
                    try:
                        callback()
                    except Exception:  # a deadline callback must not end the thread
                        log.exception("deadline callback failed")
                    finally:
                        self._condition.acquire()


#: The process's one deadline thread (every client of `app.core.http`).
DEADLINES = Deadlines()
