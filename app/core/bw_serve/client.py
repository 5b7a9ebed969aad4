"""The blocking client of one `bw serve` (the Vault Management API), on loopback or a Unix socket.

Requests never go through a proxy and only to loopback or a Unix socket; the master password is a
`SecretStr`, sent once to `POST /unlock` and not kept, and the session key `bw serve` returns is
dropped unread. A refusal is put in plain words for the admin (`app.core.bw_cli_messages`); the
CLI's own text stays available as `cli_message`, for support.
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, ValidationError

from app.core import bw_cli_messages
from app.core import messages as msg
from app.core.bw_cli_messages import Action
from app.core.closing import Closing
from app.core.endpoints import is_loopback_host
from app.core.errors import ClientError
from app.core.http import (
    ExchangeClient,
    UnsupportedEncodingError,
    read_body,
    set_aside_unusable_location,
)
from app.core.outside_text import clean
from app.core.redaction import install_log_redaction

#: `bw list org-members` answers in one body; 100k members are a few tens of MB.
_LIST_LIMIT = 256 * 1024 * 1024
_SMALL_LIMIT = 1024 * 1024
_LIST_TIME_FACTOR = 10


class BwServeError(ClientError):
    """A failed `bw serve` call; `str()` is a plain sentence; `locked` when the vault is locked;
    `unsure` when the answer was lost or failed (it is unknown whether the call took effect);
    `cli_message` is the CLI's own words when it refused (None when it did not answer)."""

    def __init__(
        self,
        message: str,
        *,
        locked: bool = False,
        unsure: bool = False,
        cli_message: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.locked = locked
        self.unsure = unsure
        self.cli_message = cli_message


class OrgMember(BaseModel):
    """A row of `bw list org-members` (it has no userId, so no fingerprint from here alone)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    id: str
    email: str | None = None
    name: str | None = None
    status: int
    type: int
    two_step_login: bool = Field(False, alias="twoFactorEnabled")


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")
    success: bool
    message: str | None = None
    data: Any = None


class _MemberListEnvelope(BaseModel):
    class _List(BaseModel):
        data: list[OrgMember]

    success: bool
    data: _List


_ENVELOPE = TypeAdapter(_Envelope)
_MEMBERS = TypeAdapter(_MemberListEnvelope)


class BwServeClient(Closing):
    """A blocking client of one `bw serve` (loopback URL or Unix socket)."""

    def __init__(
        self, base_url: str, *, unix_socket: str | None = None, timeout: float = 30.0
    ) -> None:
        host = urlsplit(base_url).hostname or ""
        if unix_socket is None and not is_loopback_host(host):
            raise BwServeError(msg.BW_SERVE_NOT_LOOPBACK.format(url=base_url))
        self.base_url = base_url.rstrip("/")
        self.unix_socket = unix_socket
        self._timeout = timeout
        self._http = _local_client(timeout, unix_socket)

    def __repr__(self) -> str:
        where = self.unix_socket or self.base_url
        return f"BwServeClient({where!r})"

    def close(self) -> None:
        self._http.close()

    # -- the API
    def status(self) -> dict[str, Any]:
        """`bw status` as served: serverUrl, lastSync, userEmail, userId, status."""
        data = self._call("status", "GET", "/status")
        template = data.get("template") if isinstance(data, dict) else None
        if not isinstance(template, dict):
            raise BwServeError(msg.BW_SERVE_UNEXPECTED)
        return template

    def unlock(self, password: SecretStr) -> None:
        """Unlock the vault; the returned session key is not kept (bw serve stays unlocked)."""
        install_log_redaction(password)
        body = {"password": password.get_secret_value()}
        data = self._call("unlock", "POST", "/unlock", json_body=body)
        session = data.get("raw") if isinstance(data, dict) else None
        if isinstance(session, str):
            install_log_redaction(session)

    def lock(self) -> None:
        self._call("lock", "POST", "/lock")

    def list_org_members(self, org_id: str) -> list[OrgMember]:
        path = f"/list/object/org-members?organizationId={quote(org_id, safe='')}"
        status, body = self._request("GET", path, None, _LIST_LIMIT)
        if status != 200:
            self._raise("list", status, body)
        try:
            return _MEMBERS.validate_json(body).data.data
        except ValidationError:
            raise BwServeError(msg.BW_SERVE_UNEXPECTED) from None

    def fingerprint(self, user_id: str) -> str:
        """The member's fingerprint phrase (five words joined by '-'), from their account's key."""
        data = self._call("fingerprint", "GET", f"/object/fingerprint/{quote(user_id, safe='')}")
        phrase = data.get("data") if isinstance(data, dict) else None
        if not isinstance(phrase, str) or not phrase:
            raise BwServeError(msg.BW_SERVE_UNEXPECTED)
        return phrase

    def confirm(self, member_id: str, org_id: str) -> None:
        path = (
            f"/confirm/org-member/{quote(member_id, safe='')}"
            f"?organizationId={quote(org_id, safe='')}"
        )
        self._call("confirm", "POST", path)

    # -- plumbing
    def _call(
        self, action: Action, method: str, path: str, json_body: dict[str, str] | None = None
    ) -> Any:
        status, body = self._request(method, path, json_body, _SMALL_LIMIT)
        if status != 200:
            self._raise(action, status, body)
        try:
            envelope = _ENVELOPE.validate_json(body)
        except ValidationError:
            raise BwServeError(msg.BW_SERVE_UNEXPECTED) from None
        if not envelope.success:
            self._raise(action, 400, body)
        return envelope.data

    def _request(
        self, method: str, path: str, json_body: dict[str, str] | None, limit: int
    ) -> tuple[int, bytes]:
        url = self.base_url + path
        # A list makes the CLI fetch every member from the server first: allow it longer.
        seconds = self._timeout * (_LIST_TIME_FACTOR if limit > _SMALL_LIMIT else 1)
        deadline = time.monotonic() + seconds
        try:
            with self._http.stream(method, url, json=json_body, timeout=seconds) as response:
                # Bounded decoding too: httpx's own inflates each chunk whole (a gzip bomb).
                body = read_body(response, limit, deadline=deadline)
                if body.truncated:
                    raise BwServeError(msg.BW_SERVE_TOO_LARGE)
                return response.status_code, body.data
        except UnsupportedEncodingError:
            raise BwServeError(msg.BW_SERVE_UNEXPECTED) from None
        except httpx.TimeoutException:
            raise BwServeError(
                msg.BW_SERVE_TIMEOUT.format(where=self._where()), unsure=True
            ) from None
        except httpx.TransportError:
            message = msg.BW_SERVE_NOT_RUNNING.format(where=self._where())
            raise BwServeError(message, unsure=True) from None

    def _raise(self, action: Action, status: int, body: bytes) -> None:
        message: str | None = None
        with contextlib.suppress(ValueError):
            parsed = json.loads(body)
            if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
                message = parsed["message"]
        if status == 400 and message:
            words = clean(message)
            raise BwServeError(
                bw_cli_messages.explain(action, words),
                locked=bw_cli_messages.is_locked(words),
                cli_message=words,
                status=status,
            )
        if status == 403:
            raise BwServeError(msg.BW_SERVE_FORBIDDEN, status=status)
        if status == 404:
            raise BwServeError(msg.BW_SERVE_NOT_FOUND, status=status)
        raise BwServeError(
            msg.BW_SERVE_STATUS.format(status=status), unsure=status >= 500, status=status
        )

    def _where(self) -> str:
        return self.unix_socket or self.base_url


def _local_client(timeout: float, unix_socket: str | None) -> httpx.Client:
    """An httpx client for loopback or a Unix socket only.

    Not `app.core.http.build_client`: that one honours proxy settings from the environment, and
    the master password must never travel through a proxy. There is no TLS to verify here.
    """
    transport = httpx.HTTPTransport(uds=unix_socket) if unix_socket else httpx.HTTPTransport()
    return ExchangeClient(  # every exchange within `timeout`, headers and body included
        transport=transport,
        trust_env=False,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        event_hooks={"response": [set_aside_unusable_location]},
    )
