"""The organization's groups (what Okta's Push Groups made) and who is in each.

Through the Public API: `GET /public/groups` gives names and external ids, and each group's members
come from `GET /public/groups/{id}/member-ids` (the group object has no members field). A profile
with only the SCIM key reads `GET /Groups` through SCIM instead: names and external ids only, since
Bitwarden's SCIM answers every group with `members: []`; `member_ids` is then None ("unknown"),
never an empty tuple ("nobody").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from app.core.cancel import CancelToken
from app.core.outside_text import clean


class GroupSource(StrEnum):
    PUBLIC_API = "public_api"
    SCIM = "scim"


class OrgGroup(BaseModel):
    """One group; `member_ids` are organization-user ids, None when the source cannot tell."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    external_id: str | None = None
    member_ids: tuple[str, ...] | None = None

    @property
    def size(self) -> int | None:
        return None if self.member_ids is None else len(self.member_ids)

    def as_json(self, email_of: Mapping[str, str]) -> dict[str, object]:
        """The `groups --json` object (interfaces.md): members as e-mail addresses."""
        members = None if self.member_ids is None else [email_of.get(i, i) for i in self.member_ids]
        return {
            "id": self.id,
            "name": self.name,
            "external_id": self.external_id,
            "members": members,
        }


class _ApiGroup(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def external_id(self) -> str | None: ...


class _ScimGroup(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def external_id(self) -> str | None: ...


class GroupsClient(Protocol):
    """What reading groups needs of `PublicApiClient`."""

    def list_groups(self, cancel: CancelToken | None = None) -> Iterable[_ApiGroup]: ...
    def group_member_ids(self, group_id: str, cancel: CancelToken | None = None) -> list[str]: ...


class ScimGroupsClient(Protocol):
    """What reading groups needs of `ScimClient`."""

    def list_groups(self, cancel: CancelToken | None = None) -> Iterable[_ScimGroup]: ...


def read_groups(
    client: GroupsClient,
    *,
    members: bool = True,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> list[OrgGroup]:
    """Every group by name, with its members unless `members=False` (one request per group,
    `workers` at a time; the client waits out the cloud's 429s). `progress(done, total)` after
    each group."""
    listed = sorted(client.list_groups(cancel=cancel), key=lambda g: (g.name.casefold(), g.id))
    done = 0
    lock = threading.Lock()

    def one(group: _ApiGroup) -> OrgGroup:
        nonlocal done
        ids = tuple(client.group_member_ids(group.id, cancel=cancel)) if members else None
        if progress is not None:
            with lock:
                done += 1
                progress(done, len(listed))
        return OrgGroup(id=group.id, name=group.name, external_id=group.external_id, member_ids=ids)

    if workers <= 1 or len(listed) < 2 or not members:
        return [one(group) for group in listed]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="groups") as pool:
        return list(pool.map(one, listed))


def read_scim_groups(client: ScimGroupsClient, cancel: CancelToken | None = None) -> list[OrgGroup]:
    """Every group SCIM lists, by name; members unknown (Bitwarden's SCIM does not return them)."""
    listed = sorted(
        client.list_groups(cancel=cancel), key=lambda g: (g.display_name.casefold(), g.id)
    )
    return [OrgGroup(id=g.id, name=g.display_name, external_id=g.external_id) for g in listed]


def groups_of_members(groups: Iterable[OrgGroup]) -> dict[str, list[str]]:
    """Member id -> the ids of the groups they are in (in the order of `groups`)."""
    found: dict[str, list[str]] = {}
    for group in groups:
        for member_id in group.member_ids or ():
            found.setdefault(member_id, []).append(group.id)
    return found


def pushed_summary(groups: list[OrgGroup], shown: int = 5) -> str:
    """ "Okta has pushed 2 groups: Engineering (12), Sales (4)"; names cleaned, `shown` at most."""
    if not groups:
        return "Okta has pushed no groups yet."
    noun = "group" if len(groups) == 1 else "groups"
    parts = [
        clean(g.name, 60) + (f" ({g.size})" if g.size is not None else "") for g in groups[:shown]
    ]
    more = f", and {len(groups) - shown} more" if len(groups) > shown else ""
    return f"Okta has pushed {len(groups)} {noun}: {', '.join(parts)}{more}."
