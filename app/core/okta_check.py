"""The credential test, made exactly as Okta's "Test API Credentials" makes it, and its diagnosis.

Okta sends one `GET {base}/Users?startIndex=1&count=2` with a fixed set of headers and calls a 200
with a SCIM ListResponse success (shared/reference/okta-scim.md §1). We send the same bytes — the
User-Agent begins with Okta's, because Bitwarden's server detects Okta by that prefix — so that the
answer here is the answer Okta would get. Every other outcome maps to exactly one category of the
`check --json` contract, with a sentence naming the likely causes and the fix.

Passing here is not passing for Okta: Okta connects from its cloud. So the check also warns when
the host is private, the certificate is trusted only through a private CA, the URL has an
underscore, or the URL is not https.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import re
import socket
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel, Field, SecretStr

from app import __version__
from app.core import messages as msg
from app.core.cancel import Cancelled, CancelToken
from app.core.deadlines import DEADLINES
from app.core.endpoints import Deployment, Endpoints, normalize_server_url, parse_scim_url
from app.core.http import (
    DEFAULT_BODY_LIMIT,
    UNUSABLE_LOCATION,
    CaFileError,
    UnsupportedEncodingError,
    build_client,
    exception_detail,
    read_body,
)
from app.core.keys import check_scim_key
from app.core.outside_text import clean, printable, retry_after_seconds
from app.core.redaction import install_log_redaction

#: Okta's own User-Agent, then ours: Bitwarden treats any User-Agent starting with "Okta" as Okta.
USER_AGENT = f"Okta SCIM Client 1.0.0 scim-assistant/{__version__}"
USERS_QUERY = "/Users?startIndex=1&count=2"
GROUPS_QUERY = "/Groups?startIndex=1&count=100"
OKTA_TIMEOUT = 60.0
MASKED_AUTHORIZATION = "Bearer ***"
_LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
_PAGING_FIELDS = ("totalResults", "startIndex", "itemsPerPage")
_LOGIN_HINTS = re.compile(r"login|signin|sign-in|sso|auth|oauth|saml|cdn-cgi/access", re.IGNORECASE)
log = logging.getLogger(__name__)
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
_TITLE = re.compile(rb"<title[^>]*>(.{0,120}?)</title>", re.IGNORECASE | re.DOTALL)


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


# ---------------------------------------------------------------- the request


def okta_headers(host: str, authorization: str) -> list[tuple[str, str]]:
    """Okta's headers in Okta's documented order (Host first, as every HTTP/1.1 client sends it)."""
    return [
        ("Host", host),
        ("Accept", "application/scim+json"),
        ("Accept-Charset", "utf-8"),
        ("User-Agent", USER_AGENT),
        ("Authorization", authorization),
        ("Connection", "Keep-Alive"),
        ("Accept-Encoding", "gzip,deflate"),
    ]


def okta_request_preview(scim_url: str) -> CheckRequest:
    """What Okta will send for Test API Credentials (key masked), for display."""
    check = parse_scim_url(scim_url)
    base = check.endpoints.scim_url if check.endpoints else _best_effort_base(scim_url)
    return _masked_request(base + USERS_QUERY)


def _masked_request(url: str) -> CheckRequest:
    host = _host_header(url)
    headers = dict(okta_headers(host, MASKED_AUTHORIZATION))
    return CheckRequest(method="GET", url=url, headers=headers)


def _host_header(url: str) -> str:
    try:
        parts = urlsplit(url)
        return parts.netloc.rpartition("@")[2]
    except ValueError:
        return ""


def _best_effort_base(text: str) -> str:
    """The pasted text as a base URL for display, without a `user:password@` part."""
    compact = re.sub(r"\s+", "", text or "")
    return _USERINFO.sub(r"\1", compact).rstrip("/")[:300]


# ---------------------------------------------------------------- check_credentials


@dataclass
class _Outcome:
    category: Category
    message: str
    status: int | None = None
    warnings: list[str] = field(default_factory=list)


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
            request=_masked_request(_redact(preview.url, secret)),
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
    blockers, doubts = _reachability_warnings(endpoints, outcome, timeout)
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
        request=_masked_request(_redact(users_url, secret)),
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
) -> _Outcome:
    """One GET with Okta's headers, bounded in total by `timeout`, diagnosed."""
    try:
        client_cancel = CancelToken()
        client = build_client(
            timeout=timeout, ca_file=ca_file, cancel=client_cancel, targets=(url,)
        )
    except CaFileError as exc:
        return _Outcome(Category.TLS, str(exc))
    timed_out = threading.Event()

    def expire() -> None:
        timed_out.set()
        client_cancel.cancel()

    unlink = cancel.on_cancel(client_cancel.cancel) if cancel else None
    status: int | None = None
    cancel_deadline = DEADLINES.call_at(time.monotonic() + timeout, expire)
    try:
        with client:
            request = client.build_request("GET", url)
            request.headers = httpx.Headers(
                okta_headers(request.headers["Host"], f"Bearer {secret}")
            )
            response = client.send(request, stream=True)
            status = response.status_code
            try:
                return _diagnose(response, endpoints, url)
            finally:
                response.close()
    except (httpx.HTTPError, OSError, Cancelled) as exc:
        if timed_out.is_set():
            return _Outcome(Category.TIMEOUT, _timeout_message(url, timeout), status)
        if cancel is not None and cancel.cancelled:
            raise Cancelled() from None
        if isinstance(exc, Cancelled):
            raise
        return _transport_outcome(exc, url, timeout, status)
    finally:
        cancel_deadline()
        if unlink is not None:
            unlink()


# ---------------------------------------------------------------- diagnosis of an answer


def _diagnose(response: httpx.Response, endpoints: Endpoints, url: str) -> _Outcome:
    status = response.status_code
    if 300 <= status < 400 and status != 304:
        return _redirect_outcome(response, url)
    limit = DEFAULT_BODY_LIMIT if status == 200 else 64 * 1024
    try:
        body = read_body(response, limit)
    except UnsupportedEncodingError as exc:
        if status == 200:
            return _Outcome(Category.NOT_SCIM, msg.CHECK_NOT_JSON.format(detail=str(exc)), status)
        body = None
    data = body.data if body else b""
    content_type = response.headers.get("content-type", "")
    html = _is_html(content_type, data)
    reason = response.reason_phrase or ""

    if status == 200:
        if html:
            return _Outcome(Category.NOT_SCIM, msg.CHECK_HTML.format(title=_title(data)), status)
        if body is not None and body.truncated:
            return _Outcome(Category.NOT_SCIM, msg.CHECK_TOO_LARGE.format(limit=limit), status)
        return _list_outcome(data, content_type, status)
    if status == 401:
        text = (
            msg.CHECK_UNAUTHORIZED_SELF_HOSTED
            if endpoints.deployment is Deployment.SELF_HOSTED
            else msg.CHECK_UNAUTHORIZED_CLOUD
        ).format(console=endpoints.admin_console_scim_url)
        challenge = response.headers.get("www-authenticate", "").split(" ", 1)[0].strip()
        if challenge:
            text += msg.CHECK_UNAUTHORIZED_NOT_BITWARDEN.format(
                challenge=f"WWW-Authenticate: {challenge[:40]}"
            )
        return _Outcome(Category.UNAUTHORIZED, text, status)
    if status == 403:
        return _Outcome(Category.FORBIDDEN, msg.CHECK_FORBIDDEN, status)
    if status == 407:
        return _Outcome(Category.CONNECT, msg.CHECK_PROXY_AUTH, status)
    if status == 404:
        template = (
            msg.CHECK_NOT_FOUND_SELF_HOSTED
            if endpoints.deployment is Deployment.SELF_HOSTED
            else msg.CHECK_NOT_FOUND_CLOUD
        )
        return _Outcome(
            Category.NOT_FOUND, template.format(console=endpoints.admin_console_scim_url), status
        )
    if status == 405:
        return _Outcome(Category.METHOD_NOT_ALLOWED, msg.CHECK_METHOD_NOT_ALLOWED, status)
    if status == 429:
        wait = _retry_after(response.headers.get("retry-after"))
        return _Outcome(Category.RATE_LIMITED, msg.CHECK_RATE_LIMITED.format(wait=wait), status)
    if 500 <= status < 600:
        if status in (502, 503, 504) and (html or not _scim_detail(data)):
            return _Outcome(
                Category.SERVER_ERROR,
                msg.CHECK_GATEWAY_ERROR.format(status=status, reason=reason),
                status,
            )
        detail = _scim_detail(data)
        text = msg.CHECK_SERVER_ERROR.format(
            status=status, reason=reason, detail=f" (it said: {detail})" if detail else ""
        )
        return _Outcome(Category.SERVER_ERROR, text, status)
    if html:
        return _Outcome(Category.NOT_SCIM, msg.CHECK_HTML.format(title=_title(data)), status)
    detail = _scim_detail(data)
    text = msg.CHECK_OTHER_STATUS.format(
        status=status, reason=reason, detail=f" (it said: {detail})" if detail else ""
    )
    return _Outcome(Category.NOT_SCIM, text, status)


def _list_outcome(data: bytes, content_type: str, status: int) -> _Outcome:
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _Outcome(
            Category.NOT_SCIM, msg.CHECK_NOT_JSON.format(detail="not UTF-8 text"), status
        )
    except json.JSONDecodeError as exc:
        detail = "empty body" if not data.strip() else f"invalid JSON at character {exc.pos}"
        return _Outcome(Category.NOT_SCIM, msg.CHECK_NOT_JSON.format(detail=detail), status)
    except RecursionError:
        detail = "JSON nested too deeply"
        return _Outcome(Category.NOT_SCIM, msg.CHECK_NOT_JSON.format(detail=detail), status)
    if not isinstance(document, dict):
        return _Outcome(Category.NOT_SCIM, msg.CHECK_NOT_LIST, status)
    fields = {str(k).lower(): v for k, v in document.items()}
    resources = fields.get("resources")
    if not isinstance(resources, list):
        return _Outcome(Category.NOT_SCIM, msg.CHECK_NOT_LIST, status)
    warnings: list[str] = []
    for name in _PAGING_FIELDS:
        value = fields.get(name.lower())
        if not isinstance(value, int) or isinstance(value, bool):
            warnings.append(msg.WARN_CHECK_PAGING.format(field=name))
    schemas = fields.get("schemas")
    if not isinstance(schemas, list) or _LIST_SCHEMA not in schemas:
        warnings.append(msg.WARN_CHECK_SCHEMAS)
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in ("application/scim+json", "application/json"):
        warnings.append(msg.WARN_CHECK_CONTENT_TYPE.format(content_type=media[:60] or "none"))
    total = fields.get("totalresults")
    count = len(resources)
    text = msg.CHECK_OK.format(
        users=f"{count} user" if count == 1 else f"{count} users",
        total=total if isinstance(total, int) else "an unknown number",
    )
    return _Outcome(Category.OK, text, status, warnings)


def _redirect_outcome(response: httpx.Response, url: str) -> _Outcome:
    location = response.headers.get("location", "")
    target = urljoin(url, location) if location else ""
    try:
        parts = urlsplit(target)
        shown = f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else "(no address)"
    except ValueError:
        shown, parts = "(an invalid address)", urlsplit("")
    if UNUSABLE_LOCATION in response.extensions:
        shown = "(an invalid address)"
    text = msg.CHECK_REDIRECT.format(status=response.status_code, location=shown[:200])
    original = urlsplit(url)
    if parts.scheme == "https" and original.scheme == "http" and parts.path == original.path:
        text += msg.CHECK_REDIRECT_HTTPS
    elif _LOGIN_HINTS.search(target):
        text += msg.CHECK_REDIRECT_LOGIN
    return _Outcome(Category.REDIRECT, text, response.status_code)


def _is_html(content_type: str, data: bytes) -> bool:
    if "html" in content_type.lower():
        return True
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _title(data: bytes) -> str:
    match = _TITLE.search(data[:65536])
    if not match:
        return ""
    title = re.sub(r"\s+", " ", match.group(1).decode("utf-8", "replace")).strip()
    return f" (page title: '{title[:80]}')" if title else ""


def _scim_detail(data: bytes) -> str:
    """The `detail` (or `message`) of a SCIM/JSON error body, shortened; '' when there is none."""
    try:
        document = json.loads(data.decode("utf-8")) if data else None
    except (ValueError, RecursionError):
        return ""
    if isinstance(document, dict):
        for key in ("detail", "message", "error_description", "error"):
            value = document.get(key)
            if isinstance(value, str) and value.strip():
                return clean(value, 200)  # the server's words: one line, no bidi or escapes
    return ""


def _retry_after(value: str | None) -> str:
    seconds = retry_after_seconds(value)
    if seconds is None:
        return msg.CHECK_RATE_LIMITED_WAIT_UNKNOWN
    if seconds < 120:
        return f"{int(seconds)} seconds"
    if seconds < 2 * 3600:
        return f"about {round(seconds / 60)} minutes"
    if seconds <= 2 * 86400:
        return f"about {round(seconds / 3600)} hours"
    # Okta gives up long before this; a larger figure is a misconfigured server, not a plan.
    return "more than two days (the server's Retry-After is implausible)"


# ---------------------------------------------------------------- diagnosis of a failure


def _transport_outcome(
    exc: BaseException, url: str, timeout: float, status: int | None
) -> _Outcome:
    parts = urlsplit(url)
    host = parts.hostname or "the server"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    chain = _chain(exc)
    if any(isinstance(e, httpx.TimeoutException) for e in chain):
        return _Outcome(Category.TIMEOUT, _timeout_message(url, timeout), status)
    if any(isinstance(e, httpx.ProxyError) for e in chain):
        return _Outcome(Category.CONNECT, msg.CHECK_PROXY.format(detail=_detail(exc)), status)
    if any(isinstance(e, socket.gaierror) for e in chain):
        return _Outcome(Category.DNS, msg.CHECK_DNS.format(host=host), status)
    verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is not None:
        detail = str(getattr(verify, "verify_message", "") or "certificate verify failed")
        code = getattr(verify, "verify_code", 0)
        if code in (9, 10):
            return _Outcome(Category.TLS, msg.CHECK_TLS_EXPIRED.format(detail=detail), status)
        if code == 62 or "hostname" in detail.lower() or "ip address mismatch" in detail.lower():
            text = msg.CHECK_TLS_HOSTNAME.format(host=host, detail=detail)
            return _Outcome(Category.TLS, text, status)
        return _Outcome(Category.TLS, msg.CHECK_TLS_UNTRUSTED.format(detail=detail), status)
    if any(isinstance(e, ssl.SSLError) for e in chain) or "[SSL" in str(exc):
        return _Outcome(
            Category.TLS, msg.CHECK_TLS_OTHER.format(host=host, detail=_detail(exc)), status
        )
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return _Outcome(Category.CONNECT, msg.CHECK_REFUSED.format(host=host, port=port), status)
    if status is not None or any(
        isinstance(e, httpx.RemoteProtocolError | httpx.ReadError | ConnectionResetError)
        for e in chain
    ):
        text = msg.CHECK_DISCONNECTED.format(host=host, detail=_detail(exc))
        return _Outcome(Category.CONNECT, text, status)
    return _Outcome(
        Category.CONNECT, msg.CHECK_CONNECT.format(host=host, detail=_detail(exc)), status
    )


def _timeout_message(url: str, timeout: float) -> str:
    return msg.CHECK_TIMEOUT.format(host=urlsplit(url).hostname or "the server", seconds=timeout)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _detail(exc: BaseException) -> str:
    return exception_detail(exc, 200)


# ---------------------------------------------------------------- reachable from Okta?


def _reachability_warnings(
    endpoints: Endpoints, outcome: _Outcome, timeout: float
) -> tuple[list[str], list[str]]:
    """What would fail for Okta though it worked (or may work) from here: the certain blockers,
    and the doubts (whether the CA is public could not be checked)."""
    parts = urlsplit(endpoints.scim_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    blockers: list[str] = []
    doubts: list[str] = []
    if "_" in endpoints.scim_url:
        blockers.append(msg.WARN_UNDERSCORE)
    if parts.scheme != "https":
        blockers.append(msg.WARN_NOT_HTTPS)
    if outcome.category is not Category.DNS:
        blockers += _address_warnings(host, port)
    if parts.scheme == "https" and outcome.status is not None:
        ca_warnings = _public_ca_warnings(host, port, timeout)
        target = blockers if ca_warnings == [msg.WARN_PRIVATE_CA] else doubts
        target += ca_warnings
    return blockers, doubts


def _address_warnings(host: str, port: int) -> list[str]:
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []
        addresses = []
        for info in infos:
            with contextlib.suppress(ValueError):
                addresses.append(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
    for address in dict.fromkeys(addresses):
        if address.is_global:
            continue
        if address.is_loopback:
            kind = msg.DEPLOYMENT_KIND_LOOPBACK
        elif address.is_link_local:
            kind = msg.DEPLOYMENT_KIND_LINK_LOCAL
        elif address.is_private:
            kind = msg.DEPLOYMENT_KIND_PRIVATE
        else:
            kind = msg.DEPLOYMENT_KIND_RESERVED
        subject = (
            host
            if str(address) == host.strip("[]")
            else msg.ADDRESS_RESOLVED.format(host=host, address=address)
        )
        return [msg.WARN_PRIVATE_ADDRESS.format(subject=subject, kind=kind)]
    return []


def _public_ca_warnings(host: str, port: int, timeout: float) -> list[str]:
    """Verify the server's certificate again against the public roots only (certifi's bundle).

    Okta trusts public CAs; this computer may also trust a company CA (OS store or --ca-file).
    This is a TLS handshake only: no HTTP request is sent.
    """
    proxies = urllib.request.getproxies()
    if proxies.get("https") and not urllib.request.proxy_bypass(host):
        return [msg.WARN_PUBLIC_CA_UNKNOWN.format(detail="a proxy is configured on this computer")]
    try:
        import certifi
    except ImportError:
        return [msg.WARN_PUBLIC_CA_UNKNOWN.format(detail="the certifi package is not installed")]
    context = ssl.create_default_context(cafile=certifi.where())
    try:
        with (
            socket.create_connection((host, port), timeout=min(timeout, 15.0)) as sock,
            context.wrap_socket(sock, server_hostname=host),
        ):
            return []
    except ssl.SSLCertVerificationError:
        return [msg.WARN_PRIVATE_CA]
    except (OSError, ssl.SSLError) as exc:
        return [msg.WARN_PUBLIC_CA_UNKNOWN.format(detail=_detail(exc))]


def _redact(text: str, secret: str) -> str:
    """The text without the key, and without a server's control characters (terminal escapes,
    bidi overrides, CR) that a page title or error detail may carry into a message."""
    text = printable(text)
    # Case-insensitive: a host name is shown lower-cased (a key pasted as the host).
    if len(secret) < 6 or secret.casefold() not in text.casefold():
        return text
    return re.sub(re.escape(secret), "***", text, flags=re.IGNORECASE)


# ---------------------------------------------------------------- /scim/alive


def check_scim_alive(
    server_url: str,
    *,
    timeout: float = 15.0,
    ca_file: Path | None = None,
    cancel: CancelToken | None = None,
) -> AliveResult:
    """Anonymous `GET <server>/scim/alive`: a JSON date string means SCIM is on for the server."""
    server, error = normalize_server_url(server_url)
    if server is None:
        return AliveResult(ok=False, message=error or msg.SERVER_EMPTY)
    url = f"{server}/scim/alive"
    try:
        client = build_client(timeout=timeout, ca_file=ca_file, cancel=cancel, targets=(url,))
    except CaFileError as exc:
        return AliveResult(ok=False, message=str(exc))
    status: int | None = None
    try:
        with (
            client,
            client.stream(
                "GET", url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
            ) as response,
        ):
            status = response.status_code
            try:
                # The whole answer within the timeout, even from a server trickling bytes.
                deadline = time.monotonic() + timeout
                data = read_body(response, 64 * 1024, deadline=deadline).data
            except UnsupportedEncodingError:
                data = b""
            return _alive_outcome(response, data, url)
    except (httpx.HTTPError, OSError, Cancelled) as exc:
        if cancel is not None and cancel.cancelled:
            raise Cancelled() from None
        if isinstance(exc, Cancelled):
            raise
        return AliveResult(ok=False, message=_transport_outcome(exc, url, timeout, status).message)


def _alive_outcome(response: httpx.Response, data: bytes, url: str) -> AliveResult:
    status = response.status_code
    html = _is_html(response.headers.get("content-type", ""), data)
    if status == 200 and not html:
        try:
            value = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, str) and value.strip():
            when = clean(value, 40)
            return AliveResult(ok=True, message=msg.ALIVE_OK.format(time=when), server_time=when)
    if status == 404 or html:
        detail = f"{status} at {url}" + (", a web page answered" if html else "")
        return AliveResult(ok=False, message=msg.ALIVE_OFF.format(detail=detail))
    text = msg.ALIVE_UNEXPECTED.format(status=status, reason=response.reason_phrase or "", url=url)
    return AliveResult(ok=False, message=text)
