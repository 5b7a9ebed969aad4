"""Child process: the members window against a sandbox of N members; prints its figure lines.

`python -m bench.members_probe N` reads the sandbox's JSON-line info (interfaces.md) on stdin. The
sandbox runs in another process (bench/members.py starts it), so serving a 100,000-member list
never takes this process's GIL, and this process's peak RSS is the window's alone.

- refresh: `refresh_now()` to the `refreshed` signal (fetch, parse, diff, model update, on the
  window's own worker and GUI thread). Before each timed refresh a few invited members accept (so
  there is a real diff to apply) and the sandbox's list is fetched once, untimed, so that its
  serialization cache is warm: the figure is the client's work, not the emulator's.
- stall: a 5 ms heartbeat `QTimer` on the GUI thread; the longest gap between two beats during a
  refresh is the longest the window froze in it. The figure is the median over the timed refreshes
  of each one's longest gap (one preempted thread on a busy 2-core machine should not decide it);
  `..._max_stall_worst_ms` reports the single worst gap, the first load and header clicks included.
- filter: one keystroke (`QTest.keyClick` on `window.search_box`) until it is handled and the table
  repainted (`processEvents`), for typing and then erasing prefixes of real members' e-mails.
- sort: a click on a column header (`QTest.mouseClick` on the header) until the table shows the
  new order (the filter's `layoutChanged`), 200 ms apart; the stall figure is the median of each
  click's longest heartbeat gap (large lists sort on a worker; the GUI thread swaps the order in).
- RSS: `ru_maxrss` of this process at the end.
- As the program runs: the application's own `MainThreadGarbageCollector` is on (automatic
  collection off, the GUI thread collects every second unless a worker holds it), as `run_gui`
  starts it. `members_100000_worst_frame_gap_ms` is the single longest heartbeat gap over the timed
  refreshes (bench/members.py sets the refresh against a raw GET + `json.loads` of the same list, in
  its own process so that this one's peak RSS stays the window's).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr
from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer
from PySide6.QtTest import QTest

from app.core.endpoints import Deployment
from app.core.profiles import Profile, SetupStep
from app.core.secrets import ProfileSecrets
from app.gui.application import MainThreadGarbageCollector, create_application
from app.gui.demo import create_demo_context
from app.gui.members.rows import Column, RowStatus
from app.gui.members.window import MembersWindow
from bench.figures import Figure, emit, median, p95

PROFILE = "Benchmark organization"
REFRESHES = 5
ACCEPTS_PER_REFRESH = 3
QUERIES = 8
PREFIX_LENGTH = 5
HEARTBEAT_MS = 5
WAIT_S = 120.0
TARGET_REFRESH_S = 2.0
TARGET_FILTER_P95_MS = 30.0
TARGET_STALL_MS = 50.0
TARGET_RSS_MB = 400.0
#: Issue 13's targets for the largest organization.
TARGET_WORST_GAP_MS = 50.0
TARGET_FIRST_LOAD_100K_S = 1.5
TARGET_RSS_100K_MB = 300.0


class Heartbeat:
    """Beats every few ms on the GUI thread; remembers the longest gap of each run (start..stop)."""

    def __init__(self) -> None:
        self.max_gap_s = 0.0
        self.run_max_gaps_s: list[float] = []
        self._last: float | None = None
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._last = time.monotonic()
        self.run_max_gaps_s.append(0.0)
        self._timer.start()

    def stop(self) -> None:
        self._beat()
        self._timer.stop()
        self._last = None

    def _beat(self) -> None:
        now = time.monotonic()
        if self._last is not None:
            gap = now - self._last
            self.max_gap_s = max(self.max_gap_s, gap)
            self.run_max_gaps_s[-1] = max(self.run_max_gaps_s[-1], gap)
        self._last = now


def wait_for(signal: Any, start: Callable[[], None]) -> float:
    """Call `start`, run the event loop until `signal`; seconds taken. Raises on timeout."""
    loop = QEventLoop()
    fired: list[float] = []

    def done(*_args: object) -> None:
        fired.append(time.monotonic())
        loop.quit()

    signal.connect(done)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(int(WAIT_S * 1000))
    started = time.monotonic()
    start()
    if not fired:
        loop.exec()
    signal.disconnect(done)
    if not fired:
        raise RuntimeError("the members window did not refresh in time")
    return fired[0] - started


class SandboxPeer:
    """What happens on the server between refreshes, over plain HTTP (the sandbox's own APIs)."""

    def __init__(self, info: dict[str, str]) -> None:
        self.info = info
        self.http = httpx.Client(timeout=60.0)
        form = {
            "grant_type": "client_credentials",
            "scope": "api.organization",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
        }
        token = self.http.post(info["identity_url"] + "/connect/token", data=form)
        token.raise_for_status()
        self.token = str(token.json()["access_token"])

    def accept(self, member_id: str) -> None:
        url = f"{self.info['control_url']}/members/{member_id}/accept"
        self.http.post(url).raise_for_status()

    def warm_list(self) -> None:
        """Have the sandbox serialize its list now; streamed and dropped, so our RSS stays ours."""
        headers = {"Authorization": f"Bearer {self.token}"}
        url = self.info["api_url"] + "/public/members"
        with self.http.stream("GET", url, headers=headers) as response:
            response.raise_for_status()
            for _chunk in response.iter_raw(64 * 1024):
                pass


def save_profile(ctx: Any, info: dict[str, str]) -> None:
    ctx.profiles.save(
        Profile(
            name=PROFILE,
            deployment=Deployment.SELF_HOSTED,
            server_url=info["api_url"].removesuffix("/api"),
            organization_id=info["organization_id"],
            setup_step=SetupStep.DONE,
            has_public_api=True,
        ),
        ProfileSecrets(
            scim_url=info["scim_url"],
            scim_key=SecretStr(info["scim_key"]),
            client_id=info["client_id"],
            client_secret=SecretStr(info["client_secret"]),
        ),
    )


def measure_refreshes(
    window: MembersWindow, peer: SandboxPeer, heartbeat: Heartbeat
) -> list[float]:
    times: list[float] = []
    for _ in range(REFRESHES):
        invited = [row.id for row in window.model.rows if row.status is RowStatus.INVITED]
        accepted = invited[:ACCEPTS_PER_REFRESH]
        for member_id in accepted:
            peer.accept(member_id)
        peer.warm_list()
        heartbeat.start()
        times.append(wait_for(window.refreshed, window.refresh_now))
        heartbeat.stop()
        shown = {row.id: row.status for row in window.model.rows}
        if any(shown.get(member_id) is not RowStatus.ACCEPTED for member_id in accepted):
            raise RuntimeError("a refresh did not show the members who accepted")
    return times


def measure_filter(window: MembersWindow, app: Any) -> list[float]:
    rows = window.model.rows
    step = max(1, len(rows) // QUERIES)
    prefixes = [rows[i * step].email[:PREFIX_LENGTH] for i in range(QUERIES)]
    samples: list[float] = []

    def keystroke(key: Qt.Key | str) -> None:
        started = time.monotonic()
        if isinstance(key, str):
            QTest.keyClicks(window.search_box, key)
        else:
            QTest.keyClick(window.search_box, key)
        app.processEvents()
        samples.append(time.monotonic() - started)

    for prefix in prefixes:
        for char in prefix:
            keystroke(char)
        if window.filter.rowCount() < 1:
            raise RuntimeError(f"searching {prefix!r} found nobody")
        for _ in prefix:
            keystroke(Qt.Key.Key_Backspace)
        if window.search_box.text():
            raise RuntimeError("the search box did not clear")
    return samples


#: Header clicks: e-mail (ascending), e-mail again (descending), status, then back to name.
SORT_CLICKS = (Column.EMAIL, Column.EMAIL, Column.STATUS, Column.NAME)
#: An admin's pause between two clicks, untimed.
SORT_PAUSE_MS = 200


def measure_sorts(window: MembersWindow, heartbeat: Heartbeat) -> tuple[list[float], list[float]]:
    """Seconds until each click's order is shown, and each click's longest GUI-thread gap."""
    header = window.table.horizontalHeader()
    times: list[float] = []
    first_gap = len(heartbeat.run_max_gaps_s)
    for column in SORT_CLICKS:
        section = int(column)
        x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
        point = QPoint(x, header.height() // 2)

        def click(point: QPoint = point) -> None:
            QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=point)

        QTest.qWait(SORT_PAUSE_MS)  # the previous order is painted before the next click
        heartbeat.start()
        times.append(wait_for(window.filter.layoutChanged, click))
        heartbeat.stop()
        if window.filter.sort_column is not column:
            raise RuntimeError(f"clicking the {column.name} header did not sort by it")
    return times, heartbeat.run_max_gaps_s[first_gap:]


def run(size: int, info: dict[str, str]) -> list[Figure]:
    app = create_application()
    collector = MainThreadGarbageCollector(app)  # as `app.gui.launch.run_gui` starts it
    collector.start()
    ctx = create_demo_context()
    ctx.sandbox_info = info
    save_profile(ctx, info)
    peer = SandboxPeer(info)
    peer.warm_list()
    heartbeat = Heartbeat()
    heartbeat.start()
    window = MembersWindow(ctx, PROFILE)
    first_load = wait_for(window.refreshed, window.show)
    heartbeat.stop()
    if window.model.rowCount() < size:
        raise RuntimeError(f"the window shows {window.model.rowCount()} of {size}+ members")
    refreshes = measure_refreshes(window, peer, heartbeat)
    refresh_stalls = heartbeat.run_max_gaps_s[1:]  # [0] is the first load
    keystrokes = measure_filter(window, app)
    sorts, sort_stalls = measure_sorts(window, heartbeat)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    window.close()
    prefix = f"members_{size}"
    largest = size >= 100_000
    worst_gap_ms = max(refresh_stalls) * 1000
    extra = [Figure(f"{prefix}_worst_frame_gap_ms", worst_gap_ms, "ms", TARGET_WORST_GAP_MS)]
    rss_target = TARGET_RSS_100K_MB if largest else TARGET_RSS_MB
    return [
        *(extra if largest else []),
        Figure(
            f"{prefix}_first_load_seconds",
            first_load,
            "s",
            TARGET_FIRST_LOAD_100K_S if largest else None,
        ),
        Figure(f"{prefix}_refresh_seconds", median(refreshes), "s", TARGET_REFRESH_S),
        Figure(f"{prefix}_filter_p95_ms", p95(keystrokes) * 1000, "ms", TARGET_FILTER_P95_MS),
        Figure(f"{prefix}_max_stall_ms", median(refresh_stalls) * 1000, "ms", TARGET_STALL_MS),
        Figure(f"{prefix}_max_stall_worst_ms", heartbeat.max_gap_s * 1000, "ms"),
        Figure(f"{prefix}_sort_seconds", median(sorts), "s"),
        Figure(f"{prefix}_sort_max_stall_ms", median(sort_stalls) * 1000, "ms", TARGET_STALL_MS),
        Figure(f"{prefix}_peak_rss_mb", rss_mb, "MB", rss_target),
    ]


def main() -> None:
    size = int(sys.argv[1])
    info = json.loads(sys.stdin.read())
    for figure in run(size, info):
        emit(figure)
    sys.stdout.flush()
    os._exit(0)  # the window's pool threads and the keyring need no orderly teardown here


if __name__ == "__main__":
    main()
