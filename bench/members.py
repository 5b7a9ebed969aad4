"""The members-window figures for 1k, 10k and 100k members, and the sandbox's list serving time.

Each size gets its own sandbox process and its own probe process (bench/members_probe.py), so the
peak RSS reported is that size's alone and the emulator never shares the window's GIL.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx

from bench.figures import Figure, parse_line
from bench.procs import ROOT, SandboxProcess, child_env

SIZES = (1_000, 10_000, 100_000)
PROBE_TIMEOUT_S = 600.0
#: The refresh of the largest list against a raw GET + `json.loads` of the same body (issue 13).
TARGET_RAW_RATIO = 2.0
RAW_RUNS = 5


def raw_list_seconds(info: dict[str, str]) -> float:
    """Median seconds of the reference: a plain httpx GET of the cached list and `json.loads`."""
    with httpx.Client(timeout=120.0) as http:
        form = {
            "grant_type": "client_credentials",
            "scope": "api.organization",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
        }
        token = http.post(info["identity_url"] + "/connect/token", data=form).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        times = []
        for _ in range(RAW_RUNS):
            started = time.monotonic()
            response = http.get(info["api_url"] + "/public/members", headers=headers)
            response.raise_for_status()
            if not json.loads(response.content).get("data"):
                raise RuntimeError("the raw list came back empty")
            times.append(time.monotonic() - started)
            del response
    return sorted(times)[len(times) // 2]


def list_seconds(info: dict[str, str]) -> tuple[float, float]:
    """(first, second) time to fetch the whole Public API member list: serialized, then cached."""
    with httpx.Client(timeout=120.0) as http:
        form = {
            "grant_type": "client_credentials",
            "scope": "api.organization",
            "client_id": info["client_id"],
            "client_secret": info["client_secret"],
        }
        token = http.post(info["identity_url"] + "/connect/token", data=form).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        times = []
        for _ in range(2):
            started = time.monotonic()
            http.get(info["api_url"] + "/public/members", headers=headers).raise_for_status()
            times.append(time.monotonic() - started)
    return times[0], times[1]


def probe(size: int, info: dict[str, str]) -> list[Figure]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.members_probe", str(size)],
        input=json.dumps(info),
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
        timeout=PROBE_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RuntimeError(f"members probe ({size}) failed: {done.stderr[-1500:]}")
    return [parse_line(line) for line in done.stdout.splitlines() if line.startswith("{")]


def figures(sizes: tuple[int, ...] = SIZES) -> Iterator[Figure]:
    for size in sizes:
        with SandboxProcess(members=size) as sandbox:
            if size == max(sizes):
                cold, warm = list_seconds(sandbox.info)
                yield Figure(f"sandbox_list_{size}_members_seconds", cold, "s")
                yield Figure(f"sandbox_list_{size}_members_cached_seconds", warm, "s")
            measured = probe(size, sandbox.info)
            yield from measured
            if size == max(sizes):
                refresh = next(f for f in measured if f.name.endswith("_refresh_seconds"))
                raw = raw_list_seconds(sandbox.info)
                yield Figure(f"members_{size}_raw_get_and_parse_seconds", raw, "s")
                yield Figure(
                    f"members_{size}_refresh_ratio_vs_raw",
                    refresh.value / raw,
                    "ratio",
                    TARGET_RAW_RATIO,
                )
