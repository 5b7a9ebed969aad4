"""A read-only SCIM client: what Okta provisioned, for the members window's SCIM-only view.

With only the SCIM key saved (no Public API key), this is all the program can see: users and groups
as Bitwarden's SCIM endpoint reports them. It reads the way Okta's import does — pages of 100 with
`startIndex`/`count` — and accepts Bitwarden's lower-case `resources` as well as the RFC's
`Resources`. Every page is parsed by pydantic-core in one call.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from app import __version__
from app.core import messages as msg
from app.core.cancel import Cancelled, CancelToken
from app.core.closing import Closing
from app.core.errors import ClientError
from app.core.http import build_client, cancellable_client, read_body
from app.core.outside_text import clean

#: Okta imports users in pages of 100.
PAGE_SIZE = 100
#: Far more pages than any organization has; a server that never ends paging is stopped here.
MAX_PAGES = 20_000
PAGE_BODY_LIMIT = 16 * 1024 * 1024
_MEDIA = "application/scim+json"
_USER_AGENT = f"scim-assistant/{__version__}"
_Item = TypeVar("_Item")
_Model = TypeVar("_Model")

_SCIM_MODEL = ConfigDict(
    frozen=True, alias_generator=to_camel, populate_by_name=True, extra="ignore"
)


class ScimEmail(BaseModel):
    model_config = _SCIM_MODEL

    value: str
    primary: bool = False
    type: str | None = None


class ScimUser(BaseModel):
    """A SCIM user as Bitwarden returns it (`id` is the organization-user id)."""

    model_config = _SCIM_MODEL

    id: str
    user_name: str
    display_name: str | None = None
    emails: list[ScimEmail] = Field(default_factory=list)
    external_id: str | None = None
    active: bool = True

    @property
    def email(self) -> str:
        """The primary e-mail address, else the first one, else the user name."""
        primary = next((e.value for e in self.emails if e.primary), None)
        return primary or (self.emails[0].value if self.emails else self.user_name)


class ScimGroup(BaseModel):
    model_config = _SCIM_MODEL

    id: str
    display_name: str
    external_id: str | None = None


class _Page(BaseModel, Generic[_Item]):
    model_config = ConfigDict(extra="ignore")

    total_results: int = Field(0, validation_alias=AliasChoices("totalResults", "total_results"))
    items_per_page: int | None = Field(None, validation_alias="itemsPerPage")
    resources: list[_Item] = Field(
        default_factory=list, validation_alias=AliasChoices("resources", "Resources")
    )


_USERS = TypeAdapter(_Page[ScimUser])
_GROUPS = TypeAdapter(_Page[ScimGroup])


class ScimError(ClientError):
    """A failed SCIM request; `str()` is a plain sentence, never the key."""


class ScimClient(Closing):
    """A blocking, read-only client of one organization's SCIM endpoint (a context manager)."""

    def __init__(
        self,
        scim_url: str,
        key: SecretStr | str,
        *,
        ca_file: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._base = scim_url.rstrip("/")
        self._key = key if isinstance(key, SecretStr) else SecretStr(key)
        self._ca_file = ca_file
        self._timeout = timeout
        self._http: httpx.Client | None = None

    def __repr__(self) -> str:
        return f"ScimClient({self._base!r})"

    def close(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            http.close()

    def list_users(self, cancel: CancelToken | None = None) -> list[ScimUser]:
        """Every user, read in pages of 100 as Okta's import reads them."""
        return self._all(_USERS, "/Users", cancel)

    def list_groups(self, cancel: CancelToken | None = None) -> list[ScimGroup]:
        return self._all(_GROUPS, "/Groups", cancel)

    def find_user(self, user_name: str, cancel: CancelToken | None = None) -> ScimUser | None:
        """The user with this userName (Okta's `userName eq "…"` lookup), or None."""
        quoted = user_name.replace("\\", "\\\\").replace('"', '\\"')
        params = {"filter": f'userName eq "{quoted}"'}
        page = self._get(_USERS, "/Users", params, cancel)
        wanted = user_name.casefold()
        return next((u for u in page.resources if u.user_name.casefold() == wanted), None)

    # -- internals
    def _all(
        self, adapter: TypeAdapter[_Page[_Item]], path: str, cancel: CancelToken | None
    ) -> list[_Item]:
        items: list[_Item] = []
        seen: set[object] = set()
        start = 1
        for _ in range(MAX_PAGES):
            params = {"startIndex": str(start), "count": str(PAGE_SIZE)}
            page = self._get(adapter, path, params, cancel)
            ids = {getattr(item, "id", None) for item in page.resources}
            if page.resources and ids <= seen:
                # The same page again: startIndex is ignored (a broken server or a caching
                # proxy); without this, a claimed total of millions means MAX_PAGES requests.
                raise ScimError(msg.SCIM_REPEATING)
            seen |= ids
            items += page.resources
            start += len(page.resources)
            if not page.resources or start > page.total_results:
                return items
        raise ScimError(msg.SCIM_ENDLESS.format(pages=MAX_PAGES))

    def _get(
        self,
        adapter: TypeAdapter[_Model],
        path: str,
        params: dict[str, str],
        cancel: CancelToken | None,
    ) -> _Model:
        url = self._base + path
        headers = {
            "Accept": _MEDIA,
            "Authorization": f"Bearer {self._key.get_secret_value()}",
            "User-Agent": _USER_AGENT,
        }
        if cancel is not None:
            cancel.raise_if_cancelled()
        with self._client_for(cancel) as http:
            try:
                with http.stream("GET", url, params=params, headers=headers) as response:
                    status = response.status_code
                    # A page arrives in full within the timeout, even from a trickling server.
                    deadline = time.monotonic() + self._timeout
                    body = read_body(response, PAGE_BODY_LIMIT, deadline=deadline)
                    location = response.headers.get("location", "")
            except Exception as exc:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled() from None
                raise ScimError(_transport_message(url, exc)) from None
        if status != 200:
            raise ScimError(_status_message(status, location), status=status)
        if body.truncated:
            raise ScimError(msg.SCIM_PAGE_TOO_LARGE)
        try:
            return adapter.validate_json(body.data)
        except ValidationError:
            raise ScimError(msg.SCIM_NOT_A_LIST) from None

    @contextlib.contextmanager
    def _client_for(self, cancel: CancelToken | None) -> Iterator[httpx.Client]:
        if cancel is None:
            if self._http is None or self._http.is_closed:
                self._http = build_client(
                    timeout=self._timeout, ca_file=self._ca_file, targets=(self._base,)
                )
            yield self._http
            return
        with cancellable_client(
            cancel, timeout=self._timeout, ca_file=self._ca_file, targets=(self._base,)
        ) as http:
            yield http


def _status_message(status: int, location: str) -> str:
    if status == 401:
        return msg.SCIM_UNAUTHORIZED
    if status == 404:
        return msg.SCIM_NOT_FOUND
    if 300 <= status < 400:
        # A header may carry a tab or C1 controls (0x9b is a terminal's CSI): shown as spaces.
        return msg.SCIM_REDIRECT.format(where=clean(location, 200) or "another address")
    if status == 429:
        return msg.SCIM_RATE_LIMITED
    if status >= 500:
        return msg.SCIM_SERVER_FAILED.format(status=status)
    return msg.SCIM_OTHER_STATUS.format(status=status)


def _transport_message(url: str, exc: Exception) -> str:
    host = urlsplit(url).netloc or url
    if isinstance(exc, httpx.TimeoutException):
        return msg.NETWORK_TIMEOUT.format(host=host)
    return msg.SCIM_READ_FAILED.format(host=host, detail=type(exc).__name__)
