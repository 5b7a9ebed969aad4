"""Cooperative cancellation for blocking core calls.

The GUI runs core calls on worker threads; a "Cancel" button must be able to stop a request that
is already on the wire. A `CancelToken` is passed into the call, which registers a callback that
closes its httpx client, so the blocked read returns at once and the call turns it into `Cancelled`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable


class Cancelled(Exception):  # noqa: N818 - the contract's name (docs/core-api.md)
    """The user cancelled the operation."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


class CancelToken:
    """A thread-safe, one-way cancel flag with callbacks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        """Set the flag and run every registered callback once (their errors are swallowed)."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            _run_quietly(callback)

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run `callback` when cancelled (at once if already cancelled).

        Returns a function that unregisters the callback, for calls that finish normally.
        """
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._remove(callback)
        _run_quietly(callback)
        return lambda: None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or `timeout` passes; True when cancelled (interruptible sleep)."""
        return self._event.wait(timeout)

    def _remove(self, callback: Callable[[], None]) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._callbacks.remove(callback)


def _run_quietly(callback: Callable[[], None]) -> None:
    # A failing close must not stop the other callbacks.
    with contextlib.suppress(Exception):
        callback()
