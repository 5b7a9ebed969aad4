"""The credential test, made exactly as Okta's "Test API Credentials" makes it, and its verdict.

Okta calls a 200 with a SCIM ListResponse success (shared/reference/okta-scim.md §1). Every other
outcome maps to exactly one category of the `check --json` contract (`diagnosis`), and the
reachability warnings (`reachability`) say what would still fail for Okta. The whole exchange is
bounded by `timeout` through the client's own deadline (`app.core.http.ExchangeClient`).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from app.core import messages as msg
from app.core.cancel import Cancelled, CancelToken
from app.core.endpoints import Endpoints, parse_scim_url
from app.core.http import CaFileError, build_client
from app.core.keys import check_scim_key
from app.core.okta_check.diagnosis import diagnose_answer, diagnose_failure
from app.core.okta_check.reachability import reachability_warnings
from app.core.okta_check.request import (
    GROUPS_QUERY,
    OKTA_TIMEOUT,
    USERS_QUERY,
    masked_request,
    okta_headers,
    okta_request_preview,
)
from app.core.okta_check.result import Category, CheckResult, Outcome
from app.core.outside_text import printable
from app.core.redaction import install_log_redaction


def check_credentials(
    scim_url: str,
    key: SecretStr | str,
    *,
    timeout: float = OKTA_TIMEOUT,
    ca_file: Path | None = None,
    check_groups: bool = False,
    cancel: CancelToken | None = None,
) -> CheckResult:
    """Make Okta's Test API Credentials request and diagnose the answer.

    Never raises, except `Cancelled` when `cancel` is cancelled. `timeout` bounds the whole
    exchange (Okta gives up after 60 s), not just each read.
    """
    started = time.perf_counter()
    key_warnings: list[str] = []
    secret = _clean_key(key, key_warnings)
    # Whatever logs during the check (httpx, a handler of the caller) never shows the key.
    install_log_redaction(key, secret)
    url_check = parse_scim_url(scim_url)
    if url_check.endpoints is None:
        # The key pasted into the URL field (the two fields sit side by side) must not come
        # back in the message or the request shown.
        preview = okta_request_preview(scim_url)
        return CheckResult(
            ok=False,
            category=Category.INSECURE_URL if url_check.insecure else Category.INVALID_URL,
            message=_redact(url_check.error or msg.URL_EMPTY, secret),
            elapsed_ms=(time.perf_counter() - started) * 1000.0,
            warnings=[_redact(w, secret) for w in url_check.warnings],
            request=masked_request(_redact(preview.url, secret)),
        )
    endpoints = url_check.endpoints
    warnings = [*url_check.warnings, *key_warnings]
    users_url = endpoints.scim_url + USERS_QUERY

    outcome = _exchange(users_url, secret, endpoints, timeout, ca_file, cancel)
    warnings += outcome.warnings
    groups_checked = False
    if outcome.category is Category.OK and check_groups:
        groups = _exchange(
            endpoints.scim_url + GROUPS_QUERY, secret, endpoints, timeout, ca_file, cancel
        )
        groups_checked = True
        warnings += groups.warnings
        if groups.category is Category.OK:
            outcome.message += msg.CHECK_OK_GROUPS
        else:
            groups.message = msg.CHECK_GROUPS_FAILED.format(detail=groups.message)
            outcome = groups
    blockers, doubts = reachability_warnings(endpoints, outcome, timeout)
    warnings += [*blockers, *doubts]
    ok = outcome.category is Category.OK
    message = outcome.message
    if ok and blockers:
        message = msg.CHECK_OK_UNREACHABLE.format(detail=message)
    elif ok:
        message = msg.CHECK_OK_REACHABLE.format(detail=message)
    return CheckResult(
        ok=ok,
        category=outcome.category,
        message=_redact(message, secret),
        http_status=outcome.status,
        elapsed_ms=(time.perf_counter() - started) * 1000.0,
        warnings=[_redact(w, secret) for w in dict.fromkeys(warnings)],
        request=masked_request(_redact(users_url, secret)),
        groups_checked=groups_checked,
        okta_blockers=[_redact(w, secret) for w in dict.fromkeys(blockers)],
    )


def _clean_key(key: SecretStr | str, warnings: list[str]) -> str:
    """The bare key to send; a key that cannot be Bitwarden's is still sent, as Okta would."""
    raw = key.get_secret_value() if isinstance(key, SecretStr) else key
    checked = check_scim_key(raw)
    warnings += checked.warnings
    if checked.value is not None:
        return checked.value.get_secret_value()
    warnings.append(msg.CHECK_KEY_NOT_BITWARDEN.format(detail=checked.error))
    return re.sub(r"\s+", "", raw).encode("ascii", "replace").decode("ascii")


def _exchange(
    url: str,
    secret: str,
    endpoints: Endpoints,
    timeout: float,
    ca_file: Path | None,
    cancel: CancelToken | None,
) -> Outcome:
    """One GET with Okta's headers, diagnosed; the client ends the whole exchange, headers and
    body, within `timeout` (a timeout then is diagnosed as one)."""
    link = CancelToken() if cancel is not None else None
    try:
        client = build_client(timeout=timeout, ca_file=ca_file, cancel=link, targets=(url,))
    except CaFileError as exc:
        return Outcome(Category.TLS, str(exc))
    # The client is tied to a token of its own, untied after: the caller's outlives this call.
    unlink = cancel.on_cancel(link.cancel) if cancel is not None and link is not None else None
    status: int | None = None
    try:
        with client:
            request = client.build_request("GET", url)
            request.headers = httpx.Headers(
                okta_headers(request.headers["Host"], f"Bearer {secret}")
            )
            response = client.send(request, stream=True)
            status = response.status_code
            try:
                return diagnose_answer(response, endpoints, url)
            finally:
                response.close()
    except (httpx.HTTPError, OSError, Cancelled) as exc:
        if cancel is not None and cancel.cancelled:
            raise Cancelled() from None
        if isinstance(exc, Cancelled):
            raise
        return diagnose_failure(exc, url, timeout, status)
    finally:
        if unlink is not None:
            unlink()


def _redact(text: str, secret: str) -> str:
    """The text without the key, and without a server's control characters (terminal escapes,
    bidi overrides, CR) that a page title or error detail may carry into a message."""
    text = printable(text)
    # Case-insensitive: a host name is shown lower-cased (a key pasted as the host).
    if len(secret) < 6 or secret.casefold() not in text.casefold():
        return text
    return re.sub(re.escape(secret), "***", text, flags=re.IGNORECASE)
