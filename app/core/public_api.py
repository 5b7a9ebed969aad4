"""Bitwarden's organization Public API: members, groups and reinvitations.

The statuses the members window shows come from here (SCIM knows nothing of "accepted" or
"confirmed"). The client behaves as a good citizen of the cloud's limits
(shared/reference/bitwarden-api.md §3 and §5):

- one client_credentials token (scope `api.organization`, valid an hour) is reused until shortly
  before it expires, and the process never asks for more than 10 tokens a minute (Identity's limit);
- a 429 waits for `Retry-After`, a 5xx is retried a few times with backoff, both within `max_wait`;
- a 401 with a cached token fetches a new token once (it may have expired or been revoked);
- the server's own error message reaches the user.

Lists have no paging and can be tens of MB for 100,000 members: the body is read with a byte budget
and parsed by msgspec in batches (`_msgspec_member_summaries`), falling back to `json.loads` and
pydantic validation for anything msgspec's strict types are unsure of.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from enum import IntEnum
from pathlib import Path
from typing import NamedTuple, TypeVar
from urllib.parse import quote, urlsplit

import httpx
import msgspec
from pydantic import BaseModel, ConfigDict, SecretStr, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from app import __version__
from app.core import messages as msg
from app.core.cancel import Cancelled, CancelToken
from app.core.closing import Closing
from app.core.endpoints import Endpoints
from app.core.errors import ClientError
from app.core.http import build_client, cancellable_client, exception_detail, read_body
from app.core.outside_text import clean, retry_after_seconds, shorten
from app.core.redaction import install_log_redaction

#: Identity allows 10 token requests a minute per client IP (cloud); stay at or below it.
TOKEN_REQUESTS_PER_MINUTE = 10
#: Renew a cached token this many seconds before the server says it expires.
TOKEN_EXPIRY_MARGIN = 60.0
#: How often a 5xx answer is retried, and the first backoff (doubled each time).
SERVER_ERROR_RETRIES = 3
#: How often a 429 is waited out in one call: a storm with `Retry-After: 0` (or none, or a past
#: date) would otherwise never exhaust `max_wait` and hammer the server forever.
RATE_LIMIT_RETRIES = 10
#: The longest Retry-After believed (a day); longer or non-finite values are a server's mistake.
MAX_RETRY_AFTER = 86_400.0
FIRST_BACKOFF = 0.5
#: Bodies: lists may be large (100k members ≈ 40 MB), everything else is small.
LIST_BODY_LIMIT = 512 * 1024 * 1024
SMALL_BODY_LIMIT = 1024 * 1024
#: One answer must arrive in full within `timeout` seconds, a list within this many times that
#: (a trickling server or proxy must not hold a call for hours; httpx times each read only).
LIST_TIME_FACTOR = 10
_MESSAGE_LIMIT = 300
_USER_AGENT = f"scim-assistant/{__version__}"
_Model = TypeVar("_Model")


class MemberStatus(IntEnum):
    """A membership's status as the server stores it (OrganizationUserStatusType)."""

    REVOKED = -1
    INVITED = 0
    ACCEPTED = 1
    CONFIRMED = 2
    STAGED = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> MemberStatus:
        return cls[label.strip().upper()]


class MemberType(IntEnum):
    """A member's role (OrganizationUserType; 3, the old Manager role, is no longer assigned)."""

    OWNER = 0
    ADMIN = 1
    USER = 2
    MANAGER = 3
    CUSTOM = 4

    @property
    def label(self) -> str:
        return self.name.lower()


_API_MODEL = ConfigDict(
    frozen=True, alias_generator=to_camel, populate_by_name=True, extra="ignore"
)


class Member(BaseModel):
    """One organization membership (`id` is the organization-user id SCIM also returns)."""

    model_config = _API_MODEL

    id: str
    user_id: str | None = None
    name: str | None = None
    email: str
    status: MemberStatus
    type: MemberType
    external_id: str | None = None
    two_factor_enabled: bool = False
    reset_password_enrolled: bool = False


class MemberSummary(NamedTuple):
    """What a list of 100,000 members keeps of each: `Member`'s fields as a plain tuple.

    A validated `Member` costs about 1 KB beyond its strings; this costs 120 bytes, so the members
    window can hold a whole list while it builds its rows (bench: members_100000_peak_rss_mb).
    """

    id: str
    email: str
    name: str | None
    status: MemberStatus
    type: MemberType
    external_id: str | None
    two_factor_enabled: bool
    user_id: str | None

    @classmethod
    def of(cls, member: Member) -> MemberSummary:
        return cls(
            member.id,
            member.email,
            member.name,
            member.status,
            member.type,
            member.external_id,
            member.two_factor_enabled,
            member.user_id,
        )


class Group(BaseModel):
    model_config = _API_MODEL

    id: str
    name: str
    external_id: str | None = None


class _MemberList(BaseModel):
    model_config = ConfigDict(extra="ignore")
    data: list[Member]


class _GroupList(BaseModel):
    model_config = ConfigDict(extra="ignore")
    data: list[Group]


class _Token(BaseModel):
    model_config = ConfigDict(extra="ignore")
    access_token: SecretStr
    expires_in: float = 3600.0


_MEMBERS = TypeAdapter(_MemberList)
_MEMBER_BATCH_ADAPTER = TypeAdapter(list[Member])
#: Members validated per call when parsing a list (see `_parse_member_list`).
MEMBER_BATCH = 500
_GROUPS = TypeAdapter(_GroupList)
_MEMBER = TypeAdapter(Member)
_MEMBER_IDS = TypeAdapter(list[str])
_TOKEN = TypeAdapter(_Token)


class PublicApiError(ClientError):
    """A failed Public API call; `str()` is a plain sentence, never a secret."""


# ---------------------------------------------------------------- token request pacing


class _TokenPacer:
    """At most N token requests a rolling minute per token URL, for all clients of the process."""

    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._lock = threading.Lock()
        self._sent: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)

    def reserve(self, url: str) -> tuple[float, float]:
        """Reserve a slot: `(slot, wait)`, the slot's time and how long to wait for it."""
        with self._lock:
            now = time.monotonic()
            sent = self._sent[url]
            while sent and sent[0] <= now - 60.0:
                sent.popleft()
            start = now if len(sent) < self._per_minute else sent[-self._per_minute] + 60.0
            sent.append(start)
            return start, max(0.0, start - now)

    def release(self, url: str, reserved_at: float) -> None:
        """Give back a slot that was not used (the wait was too long or cancelled)."""
        with self._lock:
            sent = self._sent[url]
            if reserved_at in sent:
                sent.remove(reserved_at)


_PACER = _TokenPacer(TOKEN_REQUESTS_PER_MINUTE)


class _TokenCache:
    """Tokens shared by every client of the process with the same token URL and API key.

    The members window makes a client per refresh (and one per groups read, per reinvite run):
    without this each asked for a token, so a few quick refreshes met the 10-a-minute pacing. The
    key holds a digest of the secret, never the secret; a 401 or `verify()` drops the entry.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str, bytes], tuple[SecretStr, float]] = {}

    @staticmethod
    def key(url: str, client_id: str, secret: SecretStr) -> tuple[str, str, bytes]:
        digest = hashlib.sha256(secret.get_secret_value().encode("utf-8")).digest()
        return url, client_id, digest

    def get(self, key: tuple[str, str, bytes]) -> tuple[SecretStr, float] | None:
        with self._lock:
            found = self._tokens.get(key)
            if found is not None and time.monotonic() >= found[1]:
                del self._tokens[key]
                return None
            return found

    def put(self, key: tuple[str, str, bytes], token: SecretStr, expires: float) -> None:
        with self._lock:
            self._tokens[key] = (token, expires)

    def drop(self, key: tuple[str, str, bytes], token: SecretStr | None = None) -> None:
        """Forget the key's token (only if it is still `token`, when given)."""
        with self._lock:
            found = self._tokens.get(key)
            if found is not None and (token is None or found[0] is token):
                del self._tokens[key]


_TOKENS = _TokenCache()


# ---------------------------------------------------------------- the client


class PublicApiClient(Closing):
    """A blocking client of one organization's Public API (use as a context manager)."""

    def __init__(
        self,
        endpoints: Endpoints,
        client_id: str,
        client_secret: SecretStr,
        *,
        ca_file: Path | None = None,
        timeout: float = 30.0,
        max_wait: float = 120.0,
    ) -> None:
        self._endpoints = endpoints
        self._client_id = client_id
        self._client_secret = client_secret
        install_log_redaction(client_secret)
        self._ca_file = ca_file
        self._targets = (endpoints.api_url, endpoints.token_url)
        self._timeout = timeout
        self._max_wait = max_wait
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()
        self._token: SecretStr | None = None
        self._token_expires = 0.0
        self._token_key = _TokenCache.key(endpoints.token_url, client_id, client_secret)
        #: Token requests made and 429s waited out (the tests' proof of caching and pacing).
        self.token_requests = 0
        self.rate_limit_waits = 0

    def __repr__(self) -> str:
        return f"PublicApiClient(api={self._endpoints.api_url!r}, client_id={self._client_id!r})"

    def close(self) -> None:
        with self._lock:
            http, self._http = self._http, None
        if http is not None:
            http.close()

    # -- the API
    def verify(self, cancel: CancelToken | None = None) -> None:
        """Ask for a new token: proves the client id and secret (raises `PublicApiError`)."""
        with self._lock:
            self._token = None
        _TOKENS.drop(self._token_key)
        self._access_token(cancel)

    def list_members(self, cancel: CancelToken | None = None) -> list[Member]:
        body = self._call("GET", "/public/members", limit=LIST_BODY_LIMIT, cancel=cancel)
        return _parse_member_list(body) or self._parse(_MEMBERS, body, "member list").data

    def list_member_summaries(
        self,
        cancel: CancelToken | None = None,
        *,
        known: Callable[[str], MemberSummary | None] | None = None,
    ) -> list[MemberSummary]:
        """`list_members`, each member kept as a `MemberSummary`; accepts and refuses exactly
        the same bodies (a member the fast path is unsure of is validated as a `Member`).

        `known(member_id)` may give the summary the caller already holds for a member: when the
        fetched one equals it, the known object is returned instead, so an unchanged member's
        text is not held twice (at 100,000 members, ~45 MB beside the body during a refresh).
        """
        body = self._call("GET", "/public/members", limit=LIST_BODY_LIMIT, cancel=cancel)
        fast = _msgspec_member_summaries(body, known)
        if fast is not None:
            return fast
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            del body  # the only reference: 40 MB at 100,000 members, not needed beside the text
            summaries = _parse_member_summaries(text)
            if summaries is not None:
                return summaries
        listed = self._parse(_MEMBERS, body if text is None else text, "member list").data
        return [MemberSummary.of(member) for member in listed]

    def get_member(self, member_id: str, cancel: CancelToken | None = None) -> Member:
        path = f"/public/members/{quote(member_id, safe='')}"
        body = self._call("GET", path, limit=SMALL_BODY_LIMIT, cancel=cancel)
        return self._parse(_MEMBER, body, "member")

    def list_groups(self, cancel: CancelToken | None = None) -> list[Group]:
        body = self._call("GET", "/public/groups", limit=LIST_BODY_LIMIT, cancel=cancel)
        return self._parse(_GROUPS, body, "group list").data

    def group_member_ids(self, group_id: str, cancel: CancelToken | None = None) -> list[str]:
        """The member ids (organization-user ids) of one group: `GET /public/groups/{id}/member-ids`
        (the group object itself has no members)."""
        path = f"/public/groups/{quote(group_id, safe='')}/member-ids"
        body = self._call("GET", path, limit=LIST_BODY_LIMIT, cancel=cancel)
        return self._parse(_MEMBER_IDS, body, "group's member list")

    def reinvite(self, member_id: str, cancel: CancelToken | None = None) -> None:
        """Send the invitation e-mail again (only invited members can be reinvited)."""
        path = f"/public/members/{quote(member_id, safe='')}/reinvite"
        self._call("POST", path, limit=SMALL_BODY_LIMIT, cancel=cancel)

    # -- token
    def _access_token(self, cancel: CancelToken | None) -> SecretStr:
        with self._lock:
            if self._token is not None and time.monotonic() < self._token_expires:
                return self._token
        shared = _TOKENS.get(self._token_key)
        if shared is not None:
            with self._lock:
                self._token, self._token_expires = shared
            return shared[0]
        url = self._endpoints.token_url
        slot, delay = _PACER.reserve(url)
        if delay > 0:
            if delay > self._max_wait:
                _PACER.release(url, slot)
                raise PublicApiError(
                    msg.API_SIGNINS_PACED.format(seconds=round(delay)),
                    status=429,
                    retry_after=delay,
                )
            try:
                _sleep(delay, cancel)
            except Cancelled:
                _PACER.release(url, slot)
                raise
        form = {
            "grant_type": "client_credentials",
            "scope": "api.organization",
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
        self.token_requests += 1
        body = self._send("POST", url, form=form, token=None, cancel=cancel)
        token = self._parse(_TOKEN, body, "token")
        with self._lock:
            self._token = token.access_token
            lifetime = max(token.expires_in - TOKEN_EXPIRY_MARGIN, token.expires_in / 2)
            self._token_expires = time.monotonic() + lifetime
        _TOKENS.put(self._token_key, token.access_token, self._token_expires)
        return token.access_token

    # -- requests
    def _call(self, method: str, path: str, *, limit: int, cancel: CancelToken | None) -> bytes:
        url = f"{self._endpoints.api_url}{path}"
        token = self._access_token(cancel)
        try:
            return self._send(method, url, token=token, limit=limit, cancel=cancel)
        except _Unauthorized:
            # The cached token expired or was revoked: fetch a new one, once.
            with self._lock:
                self._token = None
            _TOKENS.drop(self._token_key, token)
            token = self._access_token(cancel)
            try:
                return self._send(method, url, token=token, limit=limit, cancel=cancel)
            except _Unauthorized as again:
                raise PublicApiError(msg.API_REFUSED_TWICE, status=401) from again

    def _send(
        self,
        method: str,
        url: str,
        *,
        token: SecretStr | None,
        form: dict[str, str] | None = None,
        limit: int = SMALL_BODY_LIMIT,
        cancel: CancelToken | None,
    ) -> bytes:
        """One logical request: waits out 429s (at most `RATE_LIMIT_RETRIES` times) and retries
        5xx, within `max_wait`."""
        waited = 0.0
        retries = 0
        rate_limited = 0
        backoff = FIRST_BACKOFF
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            status, headers, body, truncated = self._exchange(
                method, url, token, form, limit, cancel
            )
            if 200 <= status < 300:
                if truncated:
                    raise PublicApiError(msg.API_TOO_LARGE.format(limit=limit // (1024 * 1024)))
                return body
            message = _server_message(body, self._client_secret)
            if status == 429:
                retry_after = _retry_after(headers.get("retry-after"))
                rate_limited += 1
                if waited + retry_after > self._max_wait or rate_limited > RATE_LIMIT_RETRIES:
                    raise PublicApiError(
                        msg.API_RATE_LIMITED.format(seconds=round(retry_after)),
                        status=429,
                        retry_after=retry_after,
                    )
                self.rate_limit_waits += 1
                _sleep(retry_after, cancel)
                waited += retry_after
                continue
            if (
                status >= 500
                and retries < SERVER_ERROR_RETRIES
                and waited + backoff <= self._max_wait
            ):
                _sleep(backoff, cancel)
                waited += backoff
                retries += 1
                backoff *= 2
                continue
            raise self._error(status, message, headers, token_request=token is None)

    def _exchange(
        self,
        method: str,
        url: str,
        token: SecretStr | None,
        form: dict[str, str] | None,
        limit: int,
        cancel: CancelToken | None,
    ) -> tuple[int, httpx.Headers, bytes, bool]:
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        if token is not None:
            headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        seconds = self._timeout * (LIST_TIME_FACTOR if limit > SMALL_BODY_LIMIT else 1)
        deadline = time.monotonic() + seconds
        with self._client_for(cancel) as http:
            try:
                with http.stream(method, url, headers=headers, data=form) as response:
                    body = read_body(response, limit, deadline=deadline)
                    return response.status_code, response.headers, body.data, body.truncated
            except Exception as exc:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled() from None
                raise PublicApiError(_transport_message(url, exc)) from None

    @contextlib.contextmanager
    def _client_for(self, cancel: CancelToken | None) -> Iterator[httpx.Client]:
        """The shared client; with `cancel`, the call's own (http.cancellable_client)."""
        if cancel is None:
            yield self._client()
            return
        with cancellable_client(
            cancel, timeout=self._timeout, ca_file=self._ca_file, targets=self._targets
        ) as http:
            yield http

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None or self._http.is_closed:
                self._http = build_client(
                    timeout=self._timeout, ca_file=self._ca_file, targets=self._targets
                )
            return self._http

    def _error(
        self, status: int, message: str | None, headers: httpx.Headers, *, token_request: bool
    ) -> Exception:
        if token_request:
            if status in (400, 401) and message in ("invalid_client", "unauthorized_client"):
                return PublicApiError(msg.API_INVALID_CLIENT, status=status)
            if message == "invalid_scope":
                return PublicApiError(msg.API_INVALID_SCOPE, status=status)
        elif status == 401:
            return _Unauthorized()
        if 300 <= status < 400:
            location = headers.get("location", "")[:200]
            # A header may carry a tab or C1 controls (0x9b is a terminal's CSI): shown as spaces.
            where = clean(location, 200)
            message = msg.API_REDIRECT.format(where=where or "another address")
            return PublicApiError(message, status=status)
        if status == 403:
            return PublicApiError(msg.API_FORBIDDEN, status=status)
        if status == 404:
            return PublicApiError(message or msg.API_NOT_FOUND, status=status)
        detail = f" Bitwarden said: {message}" if message else ""
        if status >= 500:
            return PublicApiError(
                msg.API_SERVER_FAILED.format(status=status) + detail, status=status
            )
        return PublicApiError(msg.API_REFUSED.format(status=status) + detail, status=status)

    @staticmethod
    def _parse(adapter: TypeAdapter[_Model], body: bytes | str, what: str) -> _Model:
        try:
            return adapter.validate_json(body)
        except ValidationError as exc:
            raise PublicApiError(
                msg.API_UNEXPECTED.format(what=what, count=exc.error_count())
            ) from None


class _Unauthorized(Exception):  # noqa: N818 - internal signal, never shown
    """A 401 on an API call: the token is stale."""


# ---------------------------------------------------------------- helpers


def _parse_member_list(body: bytes) -> list[Member] | None:
    """The members of a list body, parsed without holding the GIL for the whole document.

    `validate_json` is one C call: for 100,000 members (40 MB) it held the GIL for about 0.4 s,
    so the GUI thread froze that long (bench: members_100000_max_stall_ms). `json.loads` with a
    Python object hook lets the interpreter switch threads between objects, and the members are
    then validated in batches, each batch's dicts freed as it is done. Returns None for anything
    but a well-formed list of valid members (also empty), so the caller's `validate_json` decides,
    with its usual error: this path changes speed, never the outcome.
    """
    try:
        document = json.loads(body.decode("utf-8"), object_hook=_same, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # invalid JSON or UTF-8, NaN/Infinity, deep nesting
        return None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list) or not data:
        return None
    members: list[Member] = []
    for start in range(0, len(data), MEMBER_BATCH):
        end = start + MEMBER_BATCH
        try:
            members += _MEMBER_BATCH_ADAPTER.validate_python(data[start:end])
        except ValidationError:
            return None
        data[start:end] = [None] * len(data[start:end])
    return members


class _StrictMember(msgspec.Struct, rename="camel", gc=False):
    """`Member` as msgspec reads it: exact JSON types only (no "1" for 1, no 1 for true), so
    whatever it accepts `Member` accepts with the same values. The snake-case names `Member` also
    takes (populate_by_name) are caught, not read: a member using one is left to pydantic."""

    id: str
    email: str
    status: MemberStatus
    type: MemberType
    name: str | None = None
    user_id: str | None = None
    external_id: str | None = None
    two_factor_enabled: bool = False
    reset_password_enrolled: bool = False
    snake_user_id: object = msgspec.field(default=msgspec.UNSET, name="user_id")
    snake_external_id: object = msgspec.field(default=msgspec.UNSET, name="external_id")
    snake_two_factor: object = msgspec.field(default=msgspec.UNSET, name="two_factor_enabled")
    snake_reset: object = msgspec.field(default=msgspec.UNSET, name="reset_password_enrolled")


class _RawList(msgspec.Struct):
    data: list[msgspec.Raw]


_RAW_LIST = msgspec.json.Decoder(_RawList)
#: What a decoded batch's `Raw`s are replaced with (one shared empty one).
_NO_RAW = msgspec.Raw(b"")
_STRICT_BATCH = msgspec.json.Decoder(list[_StrictMember])
#: Members per msgspec call: about 0.7 ms each, so the GUI thread waits at most that for the GIL.
STRICT_BATCH = 1000


#: The compact list body Bitwarden (and the sandbox) send: its start, and its possible ends.
_LIST_START = b'{"object":"list","data":['
_LIST_ENDS = (b"]}", b'],"continuationToken":null}')
#: Bytes of the body per msgspec call when it is cut between members (about 1,000 members).
SEGMENT_BYTES = 400_000
#: Cuts that may be tried for one segment (a "},{" inside a member's text is no cut).
_SEGMENT_TRIES = 8
_BAD_JSON = (msgspec.DecodeError, msgspec.ValidationError, RecursionError, ValueError)


def _msgspec_member_summaries(
    body: bytes,
    known: Callable[[str], MemberSummary | None] | None = None,
    *,
    segment: int = SEGMENT_BYTES,
) -> list[MemberSummary] | None:
    """The members of a list body as `MemberSummary`s, by msgspec, a slice at a time.

    One msgspec call for the whole 40 MB of 100,000 members took 66 ms with the GIL held (a frozen
    window). A compact body (`_LIST_START` ... `_LIST_ENDS`) is cut between members (`_segments`)
    and each slice decoded and validated in one short call; any other body takes two passes: the
    first only finds each member's bytes (`Raw`, 35-50 ms with the GIL held: the refresh's worst
    frame gap), the second decodes them `STRICT_BATCH` at a time. 0.12 s in all, against 0.40 s
    for `json.loads` with an object hook. Returns None unless every member is surely what `Member`
    makes of it, so the slower paths decide, with their usual errors: speed, never the outcome.
    `known(member_id)` may give a summary to keep in place of an equal fetched one.
    """
    summaries: list[MemberSummary] = []
    if _segments(body, segment, summaries, known):
        return summaries
    try:
        raws = _RAW_LIST.decode(body).data
    except _BAD_JSON:
        return None
    if not raws:
        return None
    summaries.clear()
    for start in range(0, len(raws), STRICT_BATCH):
        end = start + STRICT_BATCH
        batch = b"[" + b",".join(raws[start:end]) + b"]"
        # Each batch's `Raw`s die here, as its summaries are made (5 MB at 100,000 members, at
        # the refresh's peak; bench: members_100000_peak_rss_mb).
        raws[start:end] = [_NO_RAW] * len(raws[start:end])
        try:
            members = _STRICT_BATCH.decode(batch)
        except _BAD_JSON:
            return None
        if not _add_summaries(members, summaries, known):
            return None
    return summaries


def _segments(
    body: bytes,
    segment: int,
    summaries: list[MemberSummary],
    known: Callable[[str], MemberSummary | None] | None,
) -> bool:
    """Decode a compact list body's members slice by slice into `summaries`; False if unsure.

    A slice runs from a member's start to a `},{` about `segment` bytes on. It is a cut between
    two members exactly when `[` + slice + `]` decodes: JSON is read left to right with one token
    of lookahead, so bytes that decode as whole values from a member's start end where the whole
    body's reading ends a member, and the `,` that follows is the list's. A `},{` inside a
    member's text leaves its string or object open, the decode fails, and the slice grows to
    the next one. With the fixed start and end around them, the slices are the whole body: no
    other key can hold another `data`.
    """
    if not body.startswith(_LIST_START):
        return False
    end = next((len(body) - len(e) for e in _LIST_ENDS if body.endswith(e)), -1)
    start = len(_LIST_START)
    if end <= start:
        return False
    view = memoryview(body)
    while start < end:
        stop = start + segment
        for _ in range(_SEGMENT_TRIES):
            cut = body.find(b"},{", min(stop, end), end)
            stop = end if cut < 0 else cut + 1
            try:
                members = _STRICT_BATCH.decode(b"".join((b"[", view[start:stop], b"]")))
            except _BAD_JSON:
                if stop == end:
                    return False
                continue
            break
        else:
            return False
        if not _add_summaries(members, summaries, known):
            return False
        start = stop + 1  # past the comma between the two members
    return True


def _add_summaries(
    members: list[_StrictMember],
    summaries: list[MemberSummary],
    known: Callable[[str], MemberSummary | None] | None,
) -> bool:
    """Append each member's summary (or the equal known one); False at a snake-case name."""
    unset = msgspec.UNSET
    add = summaries.append
    for m in members:
        if not (
            m.snake_user_id is unset
            and m.snake_external_id is unset
            and m.snake_two_factor is unset
            and m.snake_reset is unset
        ):
            return False
        summary = MemberSummary(
            m.id,
            m.email,
            m.name,
            m.status,
            m.type,
            m.external_id,
            m.two_factor_enabled,
            m.user_id,
        )
        if known is not None and (old := known(m.id)) is not None and old == summary:
            summary = old  # the new strings die with this batch
        add(summary)
    return True


_STATUSES: dict[int, MemberStatus] = {int(s): s for s in MemberStatus}
_TYPES: dict[int, MemberType] = {int(t): t for t in MemberType}
#: Field names `Member` also accepts (populate_by_name); a dict using one takes the slow path.
_SNAKE_NAMES = ("user_id", "external_id", "two_factor_enabled", "reset_password_enrolled")
_OPTIONAL_TEXT = (str, type(None))


def _parse_member_summaries(text: str) -> list[MemberSummary] | None:
    """The members of a list body as `MemberSummary`s, never all as dicts or `Member`s at once.

    The object hook turns each member's dict into a summary as soon as it is decoded, so the
    decoded document never exists in full (it was 160 MB of dicts at 100,000 members). The hook
    accepts only what `Member` surely accepts with the same values (exact JSON types); anything
    else stays a dict and is validated as a `Member`. Returns None when the body is not a
    well-formed list of valid members, so that the caller's `validate_json` decides, with its usual
    error: like `_parse_member_list`, this changes memory and speed, never the outcome.
    """
    try:
        document = json.loads(text, object_hook=_summary_or_dict, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # invalid JSON, NaN/Infinity, deep nesting
        return None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list) or not data:
        return None
    for position, item in enumerate(data):
        if type(item) is MemberSummary:
            continue
        if not isinstance(item, dict):
            return None
        try:
            data[position] = MemberSummary.of(_MEMBER.validate_python(item))
        except ValidationError:
            return None
    return data


def _summary_or_dict(obj: dict[str, object]) -> object:
    """A member's dict as a `MemberSummary` when `Member` would surely give the same values."""
    ident, email = obj.get("id"), obj.get("email")
    status, kind = obj.get("status"), obj.get("type")
    if (
        type(ident) is not str
        or type(email) is not str
        or type(status) is not int
        or type(kind) is not int
        or status not in _STATUSES
        or kind not in _TYPES
    ):
        return obj
    user_id, name, external_id = obj.get("userId"), obj.get("name"), obj.get("externalId")
    two_factor = obj.get("twoFactorEnabled", False)
    if (
        type(user_id) not in _OPTIONAL_TEXT
        or type(name) not in _OPTIONAL_TEXT
        or type(external_id) not in _OPTIONAL_TEXT
        or type(two_factor) is not bool
        or type(obj.get("resetPasswordEnrolled", False)) is not bool
        or any(snake in obj for snake in _SNAKE_NAMES)
    ):
        return obj
    return MemberSummary(
        ident,
        email,
        name,  # type: ignore[arg-type]  # checked above: str or None
        _STATUSES[status],
        _TYPES[kind],
        external_id,  # type: ignore[arg-type]
        two_factor,
        user_id,  # type: ignore[arg-type]
    )


def _same(obj: dict[str, object]) -> dict[str, object]:
    return obj


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _sleep(seconds: float, cancel: CancelToken | None) -> None:
    """An interruptible wait: a cancel ends it at once with `Cancelled`."""
    if cancel is None:
        threading.Event().wait(seconds)
        return
    if cancel.wait(seconds):
        raise Cancelled()


def _retry_after(value: str | None) -> float:
    """Seconds to wait for a 429: 1 s when the header is missing or unreadable, at most a day."""
    seconds = retry_after_seconds(value)
    return 1.0 if seconds is None else min(seconds, MAX_RETRY_AFTER)


def _server_message(body: bytes, secret: SecretStr) -> str | None:
    """The server's own words: the Public API's `message`, or Identity's `error(_description)`."""
    try:
        data = json.loads(body[:SMALL_BODY_LIMIT])
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    text = data.get("message") or data.get("error_description") or data.get("error")
    if not isinstance(text, str) or not text.strip():
        return None
    line = clean(text, None)
    value = secret.get_secret_value()
    if value:
        line = line.replace(value, "***")
    return shorten(line, _MESSAGE_LIMIT)


def _transport_message(url: str, exc: Exception) -> str:
    host = urlsplit(url).netloc or url
    if isinstance(exc, httpx.TimeoutException):
        return msg.NETWORK_TIMEOUT.format(host=host)
    if isinstance(exc, httpx.ConnectError):
        return msg.API_CONNECT.format(host=host, detail=_first_line(exc))
    return msg.API_TRANSPORT.format(host=host, detail=type(exc).__name__)


def _first_line(exc: Exception) -> str:
    return exception_detail(exc, 200)
