"""A small blocking client of Okta's Management API, read-mostly.

The credential is an `SSWS` API token or an OAuth 2.0 service app (`ServiceApp`: its access
token, fetched from `{org}/oauth2/v1/token` through the same httpx client, is sent as `Bearer`,
kept until shortly before it ends, and fetched again once when Okta refuses it). A service app
with "Require DPoP" ticked is told apart by Okta's own refusal (`invalid_dpop_proof`, "The DPoP
proof JWT header is missing."): the token request is then sent again with a DPoP proof, and every
later one and every API call of this client carries a proof (RFC 9449; `dpop.py`). Trying
without first costs one refused request per client for such an app and never sends an
unrequested proof, whose handling Okta does not document.

Why our own and not Okta's SDK: the program needs a dozen GETs and two writes, through the one
client factory (trust store, proxies, no redirects, bounded bodies), with every Okta error turned
into a sentence with the fix. Rate limits are honoured as Okta documents them: a 429 is waited out
until `X-Rate-Limit-Reset` (relative to the answer's `Date`) plus a second, a bounded number of
times within a bounded total; lists follow the `Link: rel="next"` header verbatim.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import msgspec
from pydantic import SecretStr

from app.core.cancel import Cancelled, CancelToken
from app.core.closing import Closing
from app.core.errors import ClientError
from app.core.http import UnsupportedEncodingError, build_client, read_body
from app.core.okta.dpop import DPoPKey
from app.core.okta.private_key import PrivateKeyError
from app.core.okta.service_app import (
    TOKEN_PATH,
    AccessTokens,
    Fetched,
    ServiceApp,
    dpop_proof_error,
    token_error,
    token_form,
)
from app.core.outside_text import printable
from app.core.redaction import install_log_redaction

#: What the client authenticates with: an `SSWS` API token, or a service app.
OktaCredential = SecretStr | ServiceApp

USER_AGENT = "scim-setup-assistant (okta-verify)"
#: 429s waited out per request, and the longest single wait, before giving up with a sentence.
RATE_LIMIT_RETRIES = 5
MAX_PAGES = 10_000
_BODY_LIMIT = 32 * 1024 * 1024
#: The pages of one list together (100,000 app users at 500 a page are ~200 MB): without it,
#: 10,000 pages of 32 MB each would be read into memory before the page bound stopped them.
LIST_BYTES_LIMIT = 512 * 1024 * 1024
_LINK_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)


class OktaError(ClientError):
    """An Okta call failed; `str()` is a plain sentence with the fix, never containing the token;
    `code` is Okta's `errorCode` (E0000011, ...) when it gave one."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message, status=status)
        self.code = code


def _clean(text: str, limit: int = 300) -> str:
    """Outside text as one plain line (`outside_text.printable`), cut to `limit` before folding."""
    return " ".join(printable(text[:limit]).split())


def _decode(raw: bytes) -> Any:
    """JSON as `json.loads` gives it (dicts, lists, str, int, float, bool, None), in about half
    its time: a page of 500 app users is 375 KB, two of them a read of the members window.
    `ValueError` for anything else, a body nested past the decoder's depth bound included."""
    try:
        return msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ValueError(str(exc)) from None


def _error_body(raw: bytes) -> Any:
    """An error answer's JSON; None when it is empty, not JSON or nested too deep to read."""
    try:
        return json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):
        return None


def _sleep(seconds: float, cancel: CancelToken | None) -> None:
    if cancel is None:
        threading.Event().wait(seconds)
    elif cancel.wait(seconds):
        raise Cancelled()


def reset_wait(headers: httpx.Headers, now: float | None = None) -> float:
    """Seconds until Okta's `X-Rate-Limit-Reset` (epoch seconds), measured against the answer's
    `Date` when present (the server's clock, not ours), plus one second; 1 s when unreadable."""
    try:
        reset = float(headers.get("x-rate-limit-reset", ""))
    except ValueError:
        return 1.0
    base = now if now is not None else time.time()
    date = headers.get("date")
    if date:
        with contextlib.suppress(TypeError, ValueError):
            base = email.utils.parsedate_to_datetime(date).timestamp()
    wait = reset - base + 1.0
    if wait != wait or wait < 1.0:  # nan, or a reset already past
        return 1.0
    return min(wait, 86_400.0)


class OktaClient(Closing):
    """One Okta org, one credential (an API token or a service app). `get`/`list_all`/`send`
    raise `OktaError` or `Cancelled`."""

    def __init__(
        self,
        org_url: str,
        token: OktaCredential,
        *,
        ca_file: Path | None = None,
        timeout: float = 30.0,
        max_wait: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        list_bytes_limit: int = LIST_BYTES_LIMIT,
    ) -> None:
        self.org_url = org_url.rstrip("/")
        #: The DPoP proof key, made when Okta first asks for DPoP (then kept for this client).
        self.dpop: DPoPKey | None = None
        self._token: SecretStr | None = token if isinstance(token, SecretStr) else None
        self._app: ServiceApp | None = token if isinstance(token, ServiceApp) else None
        #: The service app's access tokens (None with an API token).
        self.access_tokens = (
            AccessTokens(self._fetch_access_token, clock) if self._app is not None else None
        )
        if self._token is not None:
            install_log_redaction(self._token)
        self._timeout = timeout
        self._max_wait = max_wait
        self._list_bytes_limit = list_bytes_limit
        self._http: httpx.Client | None = build_client(
            timeout=timeout, ca_file=ca_file, targets=[self.org_url]
        )
        self._host = urlsplit(self.org_url).netloc.lower()
        self._scheme = urlsplit(self.org_url).scheme.lower()
        #: Requests sent and 429s waited out (the tests' and the bench's view of the traffic).
        self.requests = 0
        self.rate_limit_waits = 0
        #: Body bytes read so far (what bounds a list's pages together).
        self.bytes_read = 0

    def __repr__(self) -> str:
        return f"OktaClient(org_url={self.org_url!r})"

    def close(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            http.close()

    # -- the calls
    def get(
        self, path: str, params: dict[str, str] | None = None, cancel: CancelToken | None = None
    ) -> Any:
        data, _ = self.send("GET", path, params=params, cancel=cancel)
        return data

    def list_all(
        self, path: str, params: dict[str, str] | None = None, cancel: CancelToken | None = None
    ) -> list[dict[str, Any]]:
        """Every page of a list, following `Link: rel="next"` verbatim (same host only), within
        `MAX_PAGES` pages and `list_bytes_limit` bytes; a next link already followed ends it."""
        items: list[dict[str, Any]] = []
        url: str | None = path
        query = params
        followed: set[str] = set()
        start = self.bytes_read
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            data, headers = self.send("GET", url, params=query, cancel=cancel)
            if not isinstance(data, list):
                raise OktaError(f"Okta answered {_path_of(url)} with something other than a list.")
            items += [item for item in data if isinstance(item, dict)]
            if self.bytes_read - start > self._list_bytes_limit:
                megabytes = self._list_bytes_limit // (1024 * 1024) or 1
                raise OktaError(
                    f"Okta's list {_path_of(url)} was larger than {megabytes} MB; it was not "
                    "read to the end."
                )
            url, query = self._next_link(headers), None
            if url is not None:
                if url in followed:
                    raise OktaError(
                        f"Okta's list {_path_of(url)} linked back to the same page; it was not "
                        "read to the end. Try again later."
                    )
                followed.add(url)
        raise OktaError("Okta's list never ended (more than 10,000 pages); try again later.")

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        cancel: CancelToken | None = None,
    ) -> tuple[Any, httpx.Headers]:
        url = path if path.startswith(("http://", "https://")) else self.org_url + path
        waited = 0.0
        limited = 0
        refreshed = renonced = False
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            authorization, bearer, proof = self._authorization(method, url)
            content: bytes | None = None
            if method in ("POST", "PUT", "PATCH"):
                content = json.dumps(body if body is not None else {}).encode()
            status, headers, raw = self._exchange(
                method, url, params, content, "application/json", authorization, proof
            )
            if proof is not None and status in (400, 401) and _asks_for_nonce(headers, raw):
                # RFC 9449 §9: the resource server wants its nonce in the proof; once.
                if renonced or not headers.get("dpop-nonce"):
                    raise OktaError(
                        token_error(status, "use_dpop_nonce", ""),
                        status=status,
                        code="use_dpop_nonce",
                    )
                assert self.dpop is not None
                self.dpop.set_nonce(headers["dpop-nonce"], resource=True)
                renonced = True
                continue
            if proof is not None and status in (400, 401) and _dpop_refused(headers):
                raise OktaError(
                    dpop_proof_error(_challenge_said(headers)),
                    status=status,
                    code="invalid_dpop_proof",
                )
            if status == 401 and bearer is not None and not refreshed:
                # The access token ended or was revoked before we thought: one fresh token.
                assert self.access_tokens is not None
                self.access_tokens.drop(bearer)
                refreshed = True
                continue
            if 200 <= status < 300:
                if not raw.strip():
                    return None, headers
                try:
                    return _decode(raw), headers
                except ValueError:
                    raise OktaError(_not_okta(self.org_url)) from None
            if status == 429:
                wait = reset_wait(headers)
                limited += 1
                if limited > RATE_LIMIT_RETRIES or waited + wait > self._max_wait:
                    raise OktaError(
                        f"Okta's rate limit for this token is used up (next window in "
                        f"{round(wait)} s). Wait a minute and try again, or raise the token's "
                        "share of the rate limit in Okta (Security → API → Tokens).",
                        status=429,
                    )
                self.rate_limit_waits += 1
                _sleep(wait, cancel)
                waited += wait
                continue
            raise error_for(
                status,
                raw,
                headers,
                _path_of(url),
                service_app=self._app is not None,
                hidden=(authorization,),
            )

    # -- the credential
    def _authorization(self, method: str, url: str) -> tuple[str, SecretStr | None, str | None]:
        """The Authorization header, the access token in it (None for an API token), and the
        request's DPoP proof (None unless the token is DPoP-bound)."""
        if self._token is not None:
            return f"SSWS {self._token.get_secret_value()}", None, None
        assert self.access_tokens is not None
        access, scheme = self.access_tokens.current()
        if scheme == "DPoP" and self.dpop is not None:
            proof = self.dpop.proof(method, url, access_token=access)
            return f"DPoP {access.get_secret_value()}", access, proof
        return f"Bearer {access.get_secret_value()}", access, None

    def _fetch_access_token(self) -> Fetched:
        """Okta's client credentials grant with a fresh client assertion (one `jti` each): sent
        once more with a DPoP proof when Okta says the app requires one, and once more with
        Okta's nonce when it asks for it (`use_dpop_nonce`, as it does first)."""
        assert self._app is not None
        url = self.org_url + TOKEN_PATH
        renonced = False
        while True:
            try:
                form = token_form(self.org_url, self._app)
            except PrivateKeyError as exc:
                raise OktaError(str(exc)) from None
            proof = self.dpop.proof("POST", url) if self.dpop is not None else None
            # What a server echoing the request back could put in its error text.
            sent = (form["client_assertion"], *((proof,) if proof else ()))
            status, headers, raw = self._exchange(
                "POST",
                url,
                None,
                urlencode(form).encode(),
                "application/x-www-form-urlencoded",
                None,
                proof,
            )
            data = _error_body(raw)
            error = str(data.get("error") or "") if isinstance(data, dict) else ""
            if status == 400 and error == "invalid_dpop_proof" and proof is None:
                self.dpop = DPoPKey()  # the app requires DPoP: from now on, always
                continue
            nonce = headers.get("dpop-nonce")
            if proof is not None and nonce:
                assert self.dpop is not None
                self.dpop.set_nonce(nonce, resource=False)
            if error == "use_dpop_nonce" and proof is not None and nonce and not renonced:
                renonced = True
                continue
            return self._token_answer(status, headers, raw, data, sent, dpop=proof is not None)

    def _token_answer(
        self,
        status: int,
        headers: httpx.Headers,
        raw: bytes,
        data: Any,
        sent: tuple[str, ...],
        *,
        dpop: bool,
    ) -> Fetched:
        """The token endpoint's last answer as a token, or an `OktaError` with the fix."""
        assert self._app is not None
        if not isinstance(data, dict):
            if status in (404, 405) or 200 <= status < 300:
                raise OktaError(_not_okta(self.org_url), status=status)
            raise error_for(status, raw, headers, TOKEN_PATH, service_app=True, hidden=sent)
        if not 200 <= status < 300:
            error = _clean(str(data.get("error") or ""), 60)
            description = _clean(_hide(str(data.get("error_description") or ""), sent))
            if not error and not description:
                raise error_for(status, raw, headers, TOKEN_PATH, service_app=True, hidden=sent)
            raise OktaError(
                token_error(status, error, description, self._app.scopes),
                status=status,
                code=error,
            )
        access = data.get("access_token")
        kind = str(data.get("token_type") or "Bearer").lower()
        # A DPoP token only to a request that sent a proof (no key could use one otherwise).
        if (
            not isinstance(access, str)
            or not access
            or kind not in ("bearer", "dpop")
            or (kind == "dpop" and not dpop)
        ):
            raise OktaError(
                "Okta's token endpoint answered without a Bearer or DPoP access token; check "
                "the Okta org URL.",
                status=status,
            )
        lifetime = data.get("expires_in")
        seconds = float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 3600.0
        return SecretStr(access), min(seconds, 86_400.0), "DPoP" if kind == "dpop" else "Bearer"

    # -- plumbing
    def _exchange(
        self,
        method: str,
        url: str,
        params: dict[str, str] | None,
        content: bytes | None,
        content_type: str,
        authorization: str | None,
        proof: str | None = None,
    ) -> tuple[int, httpx.Headers, bytes]:
        http = self._http
        if http is None:
            raise OktaError("The Okta client is closed.")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if authorization is not None:
            headers["Authorization"] = authorization
        if proof is not None:
            headers["DPoP"] = proof
        if content is not None:
            headers["Content-Type"] = content_type
        self.requests += 1
        deadline = time.monotonic() + self._timeout * 4
        try:
            with http.stream(method, url, params=params, headers=headers, content=content) as r:
                got = read_body(r, _BODY_LIMIT, deadline=deadline)
                if got.truncated:
                    raise OktaError("Okta's answer was larger than 32 MB; it was not read.")
                self.bytes_read += len(got.data)
                return r.status_code, r.headers, got.data
        except OktaError:
            raise
        except UnsupportedEncodingError:
            raise OktaError(
                f"{self._host} compressed its answer in a way this program did not ask for (or "
                "sent it damaged); a proxy in between may be the cause."
            ) from None
        except httpx.TimeoutException:
            raise OktaError(
                f"{self._host} did not answer in time. Check the Okta org URL and the network."
            ) from None
        except httpx.ConnectError as exc:
            text = str(exc).lower()
            if "certificate" in text or "ssl" in text:
                raise OktaError(
                    f"{self._host}'s TLS certificate is not trusted by this computer."
                ) from None
            raise OktaError(
                f"Could not connect to {self._host}. Check the Okta org URL and the network."
            ) from None
        except httpx.HTTPError:
            raise OktaError(
                f"The connection to {self._host} failed. Check the network and try again."
            ) from None

    def _next_link(self, headers: httpx.Headers) -> str | None:
        for value in headers.get_list("link"):
            for match in _LINK_NEXT.finditer(value):
                return self._on_the_org(match.group(1).strip())
        return None

    def _on_the_org(self, target: str) -> str:
        """The next-page URL, only on the org's own scheme, host and port: the token goes with
        it. A relative link is taken only as a path from `/` (Okta sends absolute ones): glued
        to the org URL, `@evil.example/...` or `.evil.example/...` would name another host."""
        if target.startswith("/") and not target.startswith("//"):
            url = self.org_url + target
        else:
            url = target
        parts = urlsplit(url)
        if (parts.scheme.lower(), parts.netloc.lower()) != (self._scheme, self._host):
            raise OktaError(
                "Okta's next-page link points at another host, port or scheme; not followed."
            )
        return url


def _path_of(url: str) -> str:
    """The path for a message: a next-page link's path is the server's text, so cleaned."""
    return _clean(urlsplit(url).path, 200) or "/"


def _not_okta(org_url: str) -> str:
    return (
        f"{org_url} did not answer as an Okta org (not JSON). Check the Okta org URL: it is the "
        "address you sign in to, e.g. https://example.okta.com."
    )


def _hide(text: str, hidden: tuple[str, ...]) -> str:
    """`text` without any of `hidden` (the credential sent, or its value after `SSWS `/`Bearer `),
    before it is cut or cleaned: a server may echo what it was sent."""
    for secret in hidden:
        for value in (secret, secret.partition(" ")[2]):  # the whole header first
            if len(value) >= 8:
                text = text.replace(value, "[hidden]")
    return text


def error_for(
    status: int,
    raw: bytes,
    headers: httpx.Headers,
    path: str,
    *,
    service_app: bool = False,
    hidden: tuple[str, ...] = (),
) -> OktaError:
    """Okta's error object (or a bare status) as a sentence with the fix; `service_app` when the
    credential is a service app (its access token, its scopes, its admin roles); `hidden` what
    was sent as the credential, never repeated from the server's text."""
    code = summary = None
    causes: list[str] = []
    data = _error_body(raw)
    if isinstance(data, dict):
        code = data.get("errorCode") if isinstance(data.get("errorCode"), str) else None
        summary = data.get("errorSummary") if isinstance(data.get("errorSummary"), str) else None
        raw_causes = data.get("errorCauses")
        if isinstance(raw_causes, dict):
            raw_causes = [raw_causes]
        if isinstance(raw_causes, list):
            causes = [
                str(c["errorSummary"])
                for c in raw_causes
                if isinstance(c, dict) and isinstance(c.get("errorSummary"), str)
            ]
    said = _clean(_hide("; ".join(x for x in (summary, *causes) if x), hidden))
    okta_said = f' (Okta: "{said}")' if said else ""
    scope = _insufficient_scope(headers.get("www-authenticate", ""))
    if status == 401 and service_app:
        return OktaError(
            "Okta refused the service app's access token even when fetched afresh. Check that "
            "the app is active and its key is active (General → Public Keys), then try again"
            f"{okta_said}.",
            status=status,
            code=code,
        )
    if status == 401:
        return OktaError(
            "Okta refused the API token: it is wrong, revoked or expired (a token unused for "
            "30 days expires). Create a new one in Okta (Security → API → Tokens) and save it "
            f"with the profile{okta_said}.",
            status=status,
            code=code,
        )
    if status == 403:
        if code == "E0000005":
            message = (
                "Okta did not accept the Authorization header. Paste the API token itself, "
                f"without 'SSWS ' or 'Bearer '{okta_said}."
            )
        elif scope:
            message = (
                f"The Okta credential lacks the scope {scope}. Grant it on the service app's "
                "Okta API Scopes tab."
            )
        elif service_app:
            message = (
                f"The service app may not read {path}: assign it an admin role on its Admin "
                "Roles tab in Okta (Read-only Administrator to verify; Application "
                "Administrator or Super Administrator to assign groups and push groups)"
                f"{okta_said}."
            )
        else:
            message = (
                f"The Okta API token may not read {path}: the admin who created it needs a "
                "role that can (Read-only Administrator to verify; Application Administrator "
                f"or Super Administrator to assign groups and push groups){okta_said}."
            )
        return OktaError(message, status=status, code=code)
    if status == 404:
        return OktaError(
            f"Okta has no {path}: the app or object was not found (deleted, or another org)"
            f"{okta_said}. Check the Okta org URL and pick the Bitwarden app again.",
            status=status,
            code=code,
        )
    if 300 <= status < 400:
        return OktaError(
            "Okta answered with a redirect, which is never followed: the org URL is probably "
            "not the API host. Use the address you sign in to, e.g. https://example.okta.com.",
            status=status,
        )
    if status >= 500:
        return OktaError(
            f"Okta had an internal error (HTTP {status}){okta_said}. Try again in a minute; "
            "if it persists, check status.okta.com.",
            status=status,
            code=code,
        )
    return OktaError(
        f"Okta refused the request to {path} (HTTP {status}){okta_said}.", status=status, code=code
    )


def _challenge_error(headers: httpx.Headers) -> str:
    """The `error` of a `WWW-Authenticate` challenge ("" without one)."""
    match = re.search(r'error="([^"]*)"', headers.get("www-authenticate", ""))
    return match.group(1) if match else ""


def _asks_for_nonce(headers: httpx.Headers, raw: bytes) -> bool:
    """A resource server's `use_dpop_nonce`: in its challenge (RFC 9449 §9) or its body."""
    if _challenge_error(headers) == "use_dpop_nonce":
        return True
    data = _error_body(raw)
    return isinstance(data, dict) and data.get("error") == "use_dpop_nonce"


def _dpop_refused(headers: httpx.Headers) -> bool:
    return _challenge_error(headers).startswith("invalid_dpop")


def _challenge_said(headers: httpx.Headers) -> str:
    match = re.search(r'error_description="([^"]*)"', headers.get("www-authenticate", ""))
    said = _clean(match.group(1)) if match else ""
    return f' (Okta: "{said}")' if said else ""


def _insufficient_scope(www_authenticate: str) -> str | None:
    if "insufficient_scope" not in www_authenticate:
        return None
    match = re.search(r'scope="([^"]*)"', www_authenticate)
    return _clean(match.group(1), 100) if match else "the required scope"
