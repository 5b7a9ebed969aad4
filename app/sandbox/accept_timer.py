"""`--accept-after S`: each invitation sent while the sandbox runs is accepted S seconds later.

One daemon thread (`sandbox-accept`) sleeps on a condition until the next due invitation; it makes
the person accept as the control endpoint does (an account and key pair are created). It stops with
the server.
"""

from __future__ import annotations

import heapq
import threading
import time

from app.sandbox.state import Member, MemberStatus, SandboxState


class AcceptTimer:
    """Accepts new invitations `delay` seconds after they were sent."""

    def __init__(self, state: SandboxState, delay: float) -> None:
        self._state = state
        self._delay = max(0.0, delay)
        self._due: list[tuple[float, str]] = []
        self._condition = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="sandbox-accept", daemon=True)
        state.on_invite(self._invited)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _invited(self, member: Member) -> None:
        with self._condition:
            if self._stopped:
                return
            heapq.heappush(self._due, (time.monotonic() + self._delay, member.id))
            self._condition.notify_all()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._stopped and (not self._due or self._due[0][0] > time.monotonic()):
                    timeout = self._due[0][0] - time.monotonic() if self._due else None
                    self._condition.wait(timeout)
                if self._stopped:
                    return
                _, member_id = heapq.heappop(self._due)
            self._accept(member_id)

    def _accept(self, member_id: str) -> None:
        state = self._state
        with state.lock:
            member = state.members.get(member_id)
            if member is not None and member.status == MemberStatus.INVITED:
                state.accept(member)
