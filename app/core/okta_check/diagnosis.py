"""An answer or a failure of the credential check, in one category with its likely causes and fix.

`diagnose_answer` reads what the server said (status, headers, a bounded body); `diagnose_failure`
what kept it from saying anything (DNS, refused, TLS, timeout, a proxy). Every sentence is in
`app.core.messages`; the server's own words are cleaned to one printable line first.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
from urllib.parse import urljoin, urlsplit

import httpx

from app.core import messages as msg
from app.core.endpoints import Deployment, Endpoints
from app.core.http import (
    DEFAULT_BODY_LIMIT,
    UNUSABLE_LOCATION,
    UnsupportedEncodingError,
    exception_detail,
    read_body,
)
from app.core.okta_check.result import Category, Outcome
from app.core.outside_text import clean, retry_after_seconds

_LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
_PAGING_FIELDS = ("totalResults", "startIndex", "itemsPerPage")
_LOGIN_HINTS = re.compile(r"login|signin|sign-in|sso|auth|oauth|saml|cdn-cgi/access", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.{0,120}?)</title>", re.IGNORECASE | re.DOTALL)


def diagnose_answer(response: httpx.Response, endpoints: Endpoints, url: str) -> Outcome:
    status = response.status_code
    if 300 <= status < 400 and status != 304:
        return _redirect_outcome(response, url)
    limit = DEFAULT_BODY_LIMIT if status == 200 else 64 * 1024
    try:
        body = read_body(response, limit)
    except UnsupportedEncodingError as exc:
        if status == 200:
            return Outcome(Category.NOT_SCIM, msg.CHECK_NOT_JSON.format(detail=str(exc)), status)
        body = None
    data = body.data if body else b""
    content_type = response.headers.get("content-type", "")
    html = is_html(content_type, data)
    reason = response.reason_phrase or ""

    if status == 200:
        if html:
            return Outcome(Category.NOT_SCIM, msg.CHECK_HTML.format(title=_title(data)), status)
        if body is not None and body.truncated:
            return Outcome(Category.NOT_SCIM, msg.CHECK_TOO_LARGE.format(limit=limit), status)
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
        return Outcome(Category.UNAUTHORIZED, text, status)
    if status == 403:
        return Outcome(Category.FORBIDDEN, msg.CHECK_FORBIDDEN, status)
    if status == 407:
        return Outcome(Category.CONNECT, msg.CHECK_PROXY_AUTH, status)
    if status == 404:
        template = (
            msg.CHECK_NOT_FOUND_SELF_HOSTED
            if endpoints.deployment is Deployment.SELF_HOSTED
            else msg.CHECK_NOT_FOUND_CLOUD
        )
        return Outcome(
            Category.NOT_FOUND, template.format(console=endpoints.admin_console_scim_url), status
        )
    if status == 405:
        return Outcome(Category.METHOD_NOT_ALLOWED, msg.CHECK_METHOD_NOT_ALLOWED, status)
    if status == 429:
        wait = _retry_after(response.headers.get("retry-after"))
        return Outcome(Category.RATE_LIMITED, msg.CHECK_RATE_LIMITED.format(wait=wait), status)
    if 500 <= status < 600:
        if status in (502, 503, 504) and (html or not _scim_detail(data)):
            return Outcome(
                Category.SERVER_ERROR,
                msg.CHECK_GATEWAY_ERROR.format(status=status, reason=reason),
                status,
            )
        text = msg.CHECK_SERVER_ERROR.format(status=status, reason=reason, detail=_said(data))
        return Outcome(Category.SERVER_ERROR, text, status)
    if html:
        return Outcome(Category.NOT_SCIM, msg.CHECK_HTML.format(title=_title(data)), status)
    text = msg.CHECK_OTHER_STATUS.format(status=status, reason=reason, detail=_said(data))
    return Outcome(Category.NOT_SCIM, text, status)


def _list_outcome(data: bytes, content_type: str, status: int) -> Outcome:
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return Outcome(
            Category.NOT_SCIM, msg.CHECK_NOT_JSON.format(detail=msg.CHECK_NOT_UTF8), status
        )
    except json.JSONDecodeError as exc:
        detail = (
            msg.CHECK_EMPTY_BODY
            if not data.strip()
            else msg.CHECK_INVALID_JSON_AT.format(position=exc.pos)
        )
        return Outcome(Category.NOT_SCIM, msg.CHECK_NOT_JSON.format(detail=detail), status)
    except RecursionError:
        detail = msg.CHECK_JSON_TOO_DEEP
        return Outcome(Category.NOT_SCIM, msg.CHECK_NOT_JSON.format(detail=detail), status)
    if not isinstance(document, dict):
        return Outcome(Category.NOT_SCIM, msg.CHECK_NOT_LIST, status)
    fields = {str(k).lower(): v for k, v in document.items()}
    resources = fields.get("resources")
    if not isinstance(resources, list):
        return Outcome(Category.NOT_SCIM, msg.CHECK_NOT_LIST, status)
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
        users=(msg.CHECK_ONE_USER if count == 1 else msg.CHECK_USERS).format(count=count),
        total=total if isinstance(total, int) else msg.CHECK_TOTAL_UNKNOWN,
    )
    return Outcome(Category.OK, text, status, warnings)


def _redirect_outcome(response: httpx.Response, url: str) -> Outcome:
    location = response.headers.get("location", "")
    target = urljoin(url, location) if location else ""
    try:
        parts = urlsplit(target)
        shown = (
            f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else msg.CHECK_NO_ADDRESS
        )
    except ValueError:
        shown, parts = msg.CHECK_INVALID_ADDRESS, urlsplit("")
    if UNUSABLE_LOCATION in response.extensions:
        shown = msg.CHECK_INVALID_ADDRESS
    text = msg.CHECK_REDIRECT.format(status=response.status_code, location=shown[:200])
    original = urlsplit(url)
    if parts.scheme == "https" and original.scheme == "http" and parts.path == original.path:
        text += msg.CHECK_REDIRECT_HTTPS
    elif _LOGIN_HINTS.search(target):
        text += msg.CHECK_REDIRECT_LOGIN
    return Outcome(Category.REDIRECT, text, response.status_code)


def is_html(content_type: str, data: bytes) -> bool:
    if "html" in content_type.lower():
        return True
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _title(data: bytes) -> str:
    match = _TITLE.search(data[:65536])
    if not match:
        return ""
    title = re.sub(r"\s+", " ", match.group(1).decode("utf-8", "replace")).strip()
    return msg.CHECK_PAGE_TITLE.format(title=title[:80]) if title else ""


def _said(data: bytes) -> str:
    """The server's own `detail` as " (it said: …)", or '' when it gave none."""
    detail = _scim_detail(data)
    return msg.CHECK_SERVER_SAID.format(detail=detail) if detail else ""


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
        return msg.WAIT_SECONDS.format(seconds=int(seconds))
    if seconds < 2 * 3600:
        return msg.WAIT_MINUTES.format(minutes=round(seconds / 60))
    if seconds <= 2 * 86400:
        return msg.WAIT_HOURS.format(hours=round(seconds / 3600))
    # Okta gives up long before this; a larger figure is a misconfigured server, not a plan.
    return msg.WAIT_IMPLAUSIBLE


def diagnose_failure(exc: BaseException, url: str, timeout: float, status: int | None) -> Outcome:
    parts = urlsplit(url)
    host = parts.hostname or msg.THE_SERVER
    port = parts.port or (443 if parts.scheme == "https" else 80)
    chain = _chain(exc)
    if any(isinstance(e, httpx.TimeoutException) for e in chain):
        return Outcome(Category.TIMEOUT, timeout_message(url, timeout), status)
    if any(isinstance(e, httpx.ProxyError) for e in chain):
        return Outcome(Category.CONNECT, msg.CHECK_PROXY.format(detail=_detail(exc)), status)
    if any(isinstance(e, socket.gaierror) for e in chain):
        return Outcome(Category.DNS, msg.CHECK_DNS.format(host=host), status)
    verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is not None:
        detail = str(getattr(verify, "verify_message", "") or "certificate verify failed")
        code = getattr(verify, "verify_code", 0)
        if code in (9, 10):
            return Outcome(Category.TLS, msg.CHECK_TLS_EXPIRED.format(detail=detail), status)
        if code == 62 or "hostname" in detail.lower() or "ip address mismatch" in detail.lower():
            text = msg.CHECK_TLS_HOSTNAME.format(host=host, detail=detail)
            return Outcome(Category.TLS, text, status)
        return Outcome(Category.TLS, msg.CHECK_TLS_UNTRUSTED.format(detail=detail), status)
    if any(isinstance(e, ssl.SSLError) for e in chain) or "[SSL" in str(exc):
        return Outcome(
            Category.TLS, msg.CHECK_TLS_OTHER.format(host=host, detail=_detail(exc)), status
        )
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return Outcome(Category.CONNECT, msg.CHECK_REFUSED.format(host=host, port=port), status)
    if status is not None or any(
        isinstance(e, httpx.RemoteProtocolError | httpx.ReadError | ConnectionResetError)
        for e in chain
    ):
        text = msg.CHECK_DISCONNECTED.format(host=host, detail=_detail(exc))
        return Outcome(Category.CONNECT, text, status)
    return Outcome(
        Category.CONNECT, msg.CHECK_CONNECT.format(host=host, detail=_detail(exc)), status
    )


def timeout_message(url: str, timeout: float) -> str:
    return msg.CHECK_TIMEOUT.format(host=urlsplit(url).hostname or msg.THE_SERVER, seconds=timeout)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _detail(exc: BaseException) -> str:
    return exception_detail(exc, 200)
