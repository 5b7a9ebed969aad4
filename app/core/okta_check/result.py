"""What the credential check reports: its categories, verdicts and results (no I/O here).

`Category` and `Verdict` are the stable machine values of `check --json` (docs/interfaces.md);
`Outcome` is one exchange's diagnosis before the check adds the reachability warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from app.core import messages as msg


class Category(StrEnum):
    OK = "ok"
    INVALID_URL = "invalid_url"
    INSECURE_URL = "insecure_url"
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    REDIRECT = "redirect"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    NOT_SCIM = "not_scim"


class Verdict(StrEnum):
    """The three honest outcomes; `check --json`'s `verdict` (stable machine values)."""

    #: The endpoint answers as Okta needs, and nothing found keeps Okta from reaching it.
    OKTA_WOULD_SUCCEED = "okta_would_succeed"
    #: The endpoint answers as Okta needs, but Okta cannot reach this address from its cloud.
    OKTA_CANNOT_REACH = "okta_cannot_reach"
    #: The endpoint does not answer as Okta needs.
    OKTA_WOULD_FAIL = "okta_would_fail"


def verdict_headline(verdict: Verdict) -> str:
    """The one-line verdict, in the same words in `check`'s text, on the test page and in the
    wizard's summary."""
    return {
        Verdict.OKTA_WOULD_SUCCEED: msg.VERDICT_OKTA_WOULD_SUCCEED,
        Verdict.OKTA_CANNOT_REACH: msg.VERDICT_OKTA_CANNOT_REACH,
        Verdict.OKTA_WOULD_FAIL: msg.VERDICT_OKTA_WOULD_FAIL,
    }[verdict]


class CheckRequest(BaseModel):
    """The request as sent (or as Okta will send it), with the key masked."""

    method: str = "GET"
    url: str
    headers: dict[str, str]


class CheckResult(BaseModel):
    """What Okta's Test API Credentials would report, and why."""

    ok: bool
    category: Category
    message: str
    http_status: int | None = None
    elapsed_ms: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    request: CheckRequest
    groups_checked: bool = False
    #: The warnings (also in `warnings`) that keep Okta's cloud from reaching this address:
    #: a private, loopback or link-local address, a private CA, plain http, an underscore.
    okta_blockers: list[str] = Field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        if not self.ok:
            return Verdict.OKTA_WOULD_FAIL
        return Verdict.OKTA_CANNOT_REACH if self.okta_blockers else Verdict.OKTA_WOULD_SUCCEED

    def to_json(self) -> dict[str, Any]:
        """The `check --json` object of docs/interfaces.md, plus `verdict` and
        `okta_blockers` (the reasons Okta cannot reach an endpoint that answers)."""
        return {
            "ok": self.ok,
            "category": self.category.value,
            "message": self.message,
            "http_status": self.http_status,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "warnings": list(self.warnings),
            "request": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": dict(self.request.headers),
            },
            "verdict": self.verdict.value,
            "okta_blockers": list(self.okta_blockers),
        }


class AliveResult(BaseModel):
    ok: bool
    message: str
    server_time: str | None = None


@dataclass
class Outcome:
    """One exchange's diagnosis: its category, plain message, HTTP status and warnings."""

    category: Category
    message: str
    status: int | None = None
    warnings: list[str] = field(default_factory=list)
