"""The anonymous `GET <server>/scim/alive` of a self-hosted server: is SCIM switched on?"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from app.core import messages as msg
from app.core.cancel import Cancelled, CancelToken
from app.core.endpoints import normalize_server_url
from app.core.http import CaFileError, UnsupportedEncodingError, build_client, read_body
from app.core.okta_check.diagnosis import diagnose_failure, is_html
from app.core.okta_check.request import USER_AGENT
from app.core.okta_check.result import AliveResult
from app.core.outside_text import clean


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
        return AliveResult(ok=False, message=diagnose_failure(exc, url, timeout, status).message)


def _alive_outcome(response: httpx.Response, data: bytes, url: str) -> AliveResult:
    status = response.status_code
    html = is_html(response.headers.get("content-type", ""), data)
    if status == 200 and not html:
        try:
            value = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, str) and value.strip():
            when = clean(value, 40)
            return AliveResult(ok=True, message=msg.ALIVE_OK.format(time=when), server_time=when)
    if status == 404 or html:
        detail = msg.ALIVE_OFF_DETAIL.format(status=status, url=url)
        if html:
            detail += msg.ALIVE_WEB_PAGE
        return AliveResult(ok=False, message=msg.ALIVE_OFF.format(detail=detail))
    text = msg.ALIVE_UNEXPECTED.format(status=status, reason=response.reason_phrase or "", url=url)
    return AliveResult(ok=False, message=text)
