"""`check_overhead_ratio`: the Okta-style check against a raw httpx GET of the same sandbox URL.

Like with like: the check is one request as Okta makes it, on a fresh connection (Okta does not
keep a connection to the admin's server between two clicks of "Test API Credentials"). So the raw
baseline is also a fresh `httpx.Client` per GET, with the same TLS setup (the same truststore
context, built by `app.core.http.build_ssl_context`), the same headers (the key included, so both
get the same 200 and body) and the body read in full. What the ratio then shows is the check's own
work: URL parsing, the key check, diagnosis of the answer, the reachability warnings, the
deadline. (Against a reused keep-alive client the comparison would be connection reuse versus a
new connection, which says nothing about the check.) The sandbox runs in its own process, so
serving competes with neither side for the GIL. Runs alternate, medians are compared.
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
PAIRS = 150


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


def measure(scim_url: str, key: str, pairs: int = PAIRS) -> tuple[float, float]:
    """(median check seconds, median raw GET seconds), interleaved, after a warm-up of each."""
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
    return median(check_times), median(raw_times)


def figures() -> Iterator[Figure]:
    with SandboxProcess(members=25) as sandbox:
        check_s, raw_s = measure(sandbox.info["scim_url"], sandbox.info["scim_key"])
    yield Figure("check_ms", check_s * 1000, "ms")
    yield Figure("check_raw_httpx_get_ms", raw_s * 1000, "ms")
    yield Figure("check_overhead_ratio", check_s / raw_s, "ratio", TARGET_RATIO)
