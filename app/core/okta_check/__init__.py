"""The credential test, made exactly as Okta's "Test API Credentials" makes it, and its diagnosis.

One module per concern, each importing only those below it in this list:
- `check`, `alive`: `check_credentials` (the test and its verdict) and `check_scim_alive`;
- `diagnosis`, `reachability`: an answer or a failure in one category with its causes and fix; and
  whether Okta's cloud could reach the address at all (private address, private CA, http, `_`);
- `request`: Okta's request, byte for byte, and its masked preview;
- `result`: the categories, verdicts and results (`check --json`).
"""

from __future__ import annotations

from app.core.okta_check.alive import check_scim_alive
from app.core.okta_check.check import check_credentials
from app.core.okta_check.request import (
    GROUPS_QUERY,
    MASKED_AUTHORIZATION,
    OKTA_TIMEOUT,
    USER_AGENT,
    USERS_QUERY,
    okta_headers,
    okta_request_preview,
)
from app.core.okta_check.result import (
    AliveResult,
    Category,
    CheckRequest,
    CheckResult,
    Verdict,
    verdict_headline,
)

__all__ = [
    "GROUPS_QUERY",
    "MASKED_AUTHORIZATION",
    "OKTA_TIMEOUT",
    "USERS_QUERY",
    "USER_AGENT",
    "AliveResult",
    "Category",
    "CheckRequest",
    "CheckResult",
    "Verdict",
    "check_credentials",
    "check_scim_alive",
    "okta_headers",
    "okta_request_preview",
    "verdict_headline",
]
