"""`okta_verify_seconds`: every Okta step verified against the sandbox Okta org with 1,000 assigned
(and provisioned) users, as `okta verify` does it (app discovery, the app, its users with
`expand=user` in pages of 500, groups, push mappings, the connection and features probes and the
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

from pydantic import SecretStr

from app.core.okta.client import OktaClient
from app.core.okta.verify import pick_app, verify
from bench.figures import Figure, median
from bench.procs import ROOT, child_env

TARGET_SECONDS = 1.5
ASSIGNED = 1000
RUNS = 5
_SERVE = (
    "import json, signal, sys, threading\n"
    "from app.sandbox.server import Sandbox\n"
    "box = Sandbox.start(members=25, seed=1, okta_assigned=int(sys.argv[1]))\n"
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


def figures() -> Iterator[Figure]:
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(ASSIGNED)],
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
        info = json.loads(line)
        token = SecretStr(info["okta_token"])
        one_run(info["okta_url"], token)  # warm-up
        runs = [one_run(info["okta_url"], token) for _ in range(RUNS)]
        yield Figure("okta_verify_seconds", median(runs), "s", TARGET_SECONDS)
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
