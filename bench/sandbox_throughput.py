"""The sandbox's own speed, so that it never limits the tests or the other benchmarks.

`sandbox_scim_check_requests_per_second`: Okta's check request (`GET /Users?startIndex=1&count=2`
with the key) answered per second, from a few keep-alive clients in parallel for a fixed time.
The clients run in this process, so the figure is a floor: the server may be faster still.
(The time to serve the 100,000-member Public API list is reported by bench/members.py, from the
sandbox it starts for that size.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx

from app.core.okta_check import USERS_QUERY, okta_headers
from bench.figures import Figure
from bench.procs import SandboxProcess

CLIENTS = 4
SECONDS = 2.0


def requests_per_second(scim_url: str, key: str) -> float:
    url = scim_url + USERS_QUERY
    headers = dict(okta_headers(httpx.URL(url).netloc.decode("ascii"), f"Bearer {key}"))
    counts = [0] * CLIENTS
    errors: list[str] = []
    start = threading.Barrier(CLIENTS + 1)
    stop_at: list[float] = []

    def client(slot: int) -> None:
        with httpx.Client(timeout=30.0) as http:
            http.get(url, headers=headers)  # connected before the clock starts
            start.wait()
            while time.monotonic() < stop_at[0]:
                response = http.get(url, headers=headers)
                if response.status_code != 200:
                    errors.append(f"HTTP {response.status_code}")
                    return
                counts[slot] += 1

    threads = [
        threading.Thread(target=client, args=(i,), name=f"bench-client-{i}") for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    stop_at.append(time.monotonic() + SECONDS)
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"the sandbox refused the check request: {errors[0]}")
    return sum(counts) / (time.monotonic() - began)


def figures() -> Iterator[Figure]:
    with SandboxProcess(members=25) as sandbox:
        rate = requests_per_second(sandbox.info["scim_url"], sandbox.info["scim_key"])
    yield Figure("sandbox_scim_check_requests_per_second", rate, "requests/s")
