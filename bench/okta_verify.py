"""`okta_verify_seconds`: every Okta step verified against the sandbox Okta org with 1,000 assigned
(and provisioned) users, as `okta verify` does it (app discovery, the app, its users in pages of
500, groups, push mappings, the connection and features probes and the
System Log). The sandbox runs in its own process, so serving never competes for our GIL; the
figure is the median of a few runs on a warm connection pool (one `OktaClient` per run, as the
command makes one)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import SecretStr

from app.core.okta.client import OktaClient
from app.core.okta.verify import pick_app, verify
from bench.figures import Figure, median, parse_line
from bench.procs import ROOT, child_env

TARGET_SECONDS = 1.5
ASSIGNED = 1000
RUNS = 5
_SERVE = (
    "import json, signal, sys, threading\n"
    "from app.sandbox.server import Sandbox\n"
    "box = Sandbox.start(members=int(sys.argv[2]), seed=1, okta_assigned=int(sys.argv[1]))\n"
    "print(json.dumps(box.info), flush=True)\n"
    "stop = threading.Event()\n"
    "signal.signal(signal.SIGINT, lambda *_: stop.set())\n"
    "stop.wait()\n"
    "box.stop()\n"
)


def one_run(okta_url: str, token: SecretStr) -> float:
    started = time.perf_counter()
    with OktaClient(okta_url, token) as okta:
        app = pick_app(okta)
        result = verify(okta, app.id)
    elapsed = time.perf_counter() - started
    if len(result.assigned_emails) < ASSIGNED:
        raise RuntimeError(f"only {len(result.assigned_emails)} assigned users were read")
    return elapsed


@contextmanager
def okta_sandbox(assigned: int = ASSIGNED, members: int = 25) -> Iterator[dict[str, str]]:
    """A sandbox process whose Okta org assigned (and provisioned) `assigned` people; its info."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(assigned), str(members)],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("the sandbox with an Okta org did not start")
        yield json.loads(line)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


def figures() -> Iterator[Figure]:
    with okta_sandbox() as info:
        token = SecretStr(info["okta_token"])
        one_run(info["okta_url"], token)  # warm-up
        runs = [one_run(info["okta_url"], token) for _ in range(RUNS)]
    yield Figure("okta_verify_seconds", median(runs), "s", TARGET_SECONDS)
    with okta_sandbox(assigned=1_000, members=9_000) as info:
        yield from members_okta_figures(info)


def members_okta_figures(info: dict[str, str]) -> list[Figure]:
    """The members-window refresh at 10,000 members (1,000 of them assigned in Okta), with the
    Okta side on and off, in a probe process of its own (bench/members_okta_probe.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.members_okta_probe"],
        input=json.dumps(info),
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"members Okta probe failed: {done.stderr[-1500:]}")
    return [parse_line(line) for line in done.stdout.splitlines() if line.startswith("{")]
