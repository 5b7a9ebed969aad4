"""The cloud's rate limits (reference section 5), switched on by `rate_limits=True`.

AspNetCoreRateLimit as Bitwarden configures it: fixed windows counted per client IP and per verb +
concrete path, the shortest period checked first; the answer is 429 with `Retry-After` (seconds)
and Bitwarden's error body. Self-hosted servers have no limits, so this is off by default.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from app.sandbox.router import Request, Response, Router


@dataclass(frozen=True)
class Rule:
    verb: str  # "*" or a lower-case verb
    path: str  # "*" or a lower-case path relative to the app
    limit: int
    period: str  # "1s", "1m", "1d" as in appsettings.json

    @property
    def seconds(self) -> float:
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        return float(self.period[:-1]) * units[self.period[-1]]

    def matches(self, verb: str, path: str) -> bool:
        return self.verb in ("*", verb) and self.path in ("*", path)


#: `src/Api/appsettings.json` IpRateLimitOptions.
API_RULES = (
    Rule("post", "*", 5, "1s"),
    Rule("put", "*", 5, "1s"),
    Rule("delete", "*", 5, "1s"),
    Rule("post", "*", 60, "1m"),
    Rule("put", "*", 60, "1m"),
    Rule("delete", "*", 60, "1m"),
    Rule("get", "*", 200, "1m"),
)
#: `src/Identity/appsettings.json`.
IDENTITY_RULES = (
    Rule("*", "*", 5, "1s"),
    Rule("*", "*", 60, "1m"),
    Rule("post", "/connect/token", 10, "1m"),
)


class RateLimiter:
    """Fixed-window counters for one app."""

    def __init__(self, prefix: str, rules: tuple[Rule, ...]) -> None:
        self.prefix = prefix
        self.rules = tuple(sorted(rules, key=lambda r: r.seconds))
        self._windows: dict[tuple[str, str, str, Rule], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def check(self, request: Request) -> Response | None:
        verb = request.method.lower()
        path = request.path[len(self.prefix) :].lower().rstrip("/") or "/"
        now = time.monotonic()
        with self._lock:
            for rule in self.rules:
                if not rule.matches(verb, path):
                    continue
                key = (request.client_ip, verb, path, rule)
                start, count = self._windows.get(key, (now, 0))
                if now >= start + rule.seconds:
                    start, count = now, 0
                count += 1
                self._windows[key] = (start, count)
                if count > rule.limit:
                    retry_after = max(1, math.ceil(start + rule.seconds - now))
                    return _too_many(rule, retry_after)
        return None


def _too_many(rule: Rule, retry_after: int) -> Response:
    body = {
        "object": "error",
        "message": f"Slow down! Too many requests. Try again in {rule.period}.",
        "validationErrors": None,
        "exceptionMessage": None,
        "exceptionStackTrace": None,
        "innerExceptionMessage": None,
    }
    response = Response.json(429, body)
    response.headers.append(("Retry-After", str(retry_after)))
    return response


def install(router: Router) -> None:
    """Put the limits in front of the `/api` and `/identity` apps (they must be mounted)."""
    for prefix, rules in (("/api", API_RULES), ("/identity", IDENTITY_RULES)):
        mount = router.mount_for(prefix)
        if mount is not None:
            mount.before.insert(0, RateLimiter(prefix, rules).check)
