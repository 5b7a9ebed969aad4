"""`check_overhead_ratio`: the Okta-style check against a raw httpx GET of the same sandbox URL.

Like with like: the check is one request as Okta makes it, on a fresh connection (Okta does not
keep a connection to the admin's server between two clicks of "Test API Credentials"). So the raw
baseline is also a fresh `httpx.Client` per GET, with the same TLS setup (the same truststore
context, built by `app.core.http.build_ssl_context`), the same headers (the key included, so both
get the same 200 and body) and the body read in full. What the ratio then shows is the check's own
work: URL parsing, the key check, diagnosis of the answer, the reachability warnings, the
deadline. (Against a reused keep-alive client the comparison would be connection reuse versus a
new connection, which says nothing about the check.) The sandbox runs in its own process, so
serving competes with neither side for the GIL. Runs alternate (which goes first too); the ratio
is the median of the per-pair ratios, each pair measured back to back under the same machine load
(on a busy shared machine the ratio of the two medians swung 1.05-1.18 between runs, the median of
pair ratios 1.09-1.12).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
from pydantic import SecretStr

from app.core.http import build_ssl_context
from app.core.okta_check import USERS_QUERY, check_credentials, okta_headers
from bench.figures import Figure, median
from bench.procs import SandboxProcess

TARGET_RATIO = 1.2
PAIRS = 300


def raw_get(url: str, key: str) -> float:
    """One GET on a fresh client and connection, as the check makes it; seconds."""
    started = time.perf_counter()
    host = httpx.URL(url).netloc.decode("ascii")
    with httpx.Client(verify=build_ssl_context(), timeout=60.0) as client:
        response = client.get(url, headers=dict(okta_headers(host, f"Bearer {key}")))
        response.read()
        if response.status_code != 200:
            raise RuntimeError(f"raw GET: HTTP {response.status_code}")
    return time.perf_counter() - started


def checked(scim_url: str, key: SecretStr) -> float:
    started = time.perf_counter()
    result = check_credentials(scim_url, key)
    elapsed = time.perf_counter() - started
    if not result.ok:
        raise RuntimeError(f"check: {result.category} {result.message}")
    return elapsed


def measure(scim_url: str, key: str, pairs: int = PAIRS) -> tuple[list[float], list[float]]:
    """(check seconds, raw GET seconds) pair by pair, interleaved, after a warm-up of each."""
    secret = SecretStr(key)
    users_url = scim_url + USERS_QUERY
    checked(scim_url, secret)
    raw_get(users_url, key)
    check_times: list[float] = []
    raw_times: list[float] = []
    for i in range(pairs):
        if i % 2:
            raw_times.append(raw_get(users_url, key))
            check_times.append(checked(scim_url, secret))
        else:
            check_times.append(checked(scim_url, secret))
            raw_times.append(raw_get(users_url, key))
    return check_times, raw_times


def figures() -> Iterator[Figure]:
    with SandboxProcess(members=25) as sandbox:
        check_times, raw_times = measure(sandbox.info["scim_url"], sandbox.info["scim_key"])
    ratios = [check / raw for check, raw in zip(check_times, raw_times, strict=True)]
    yield Figure("check_ms", median(check_times) * 1000, "ms")
    yield Figure("check_raw_httpx_get_ms", median(raw_times) * 1000, "ms")
    yield Figure("check_overhead_ratio", median(ratios), "ratio", TARGET_RATIO)
