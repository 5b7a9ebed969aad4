"""The groups of a profile's organization for the members window, read on a worker thread.

With the Public API key: each group with its members (`app.core.groups.read_groups`, a few
requests at a time). With only the SCIM key: names and external ids; members unknown, because
Bitwarden's SCIM does not return them (the window says so). Everything the GUI thread needs is
computed here: each member's group names as one string, and each group's member-id set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.cancel import CancelToken
from app.core.groups import GroupSource, OrgGroup, read_groups, read_scim_groups
from app.core.outside_text import clean

if TYPE_CHECKING:
    from app.gui.context import AppContext

#: Group member lists read at a time (each is one GET; the client waits out a 429).
GROUP_READERS = 4


@dataclass(frozen=True)
class GroupsResult:
    """One read of the groups, ready for the GUI thread."""

    source: GroupSource
    groups: list[OrgGroup]
    #: Member id -> the (cleaned) names of their groups, for the Groups column and the details.
    member_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Group id -> its member ids, for the filter (empty through SCIM).
    members: dict[str, frozenset[str]] = field(default_factory=dict)
    #: False while only the list is in (the Public API's member lists follow).
    complete: bool = True

    @property
    def members_known(self) -> bool:
        return self.source is GroupSource.PUBLIC_API


def fetch_groups(
    ctx: AppContext,
    profile: str,
    cancel: CancelToken | None = None,
    listed: Callable[[GroupsResult], None] | None = None,
) -> GroupsResult:
    """Read the groups (blocking); the Public API when the profile has its key, else SCIM.

    Through the Public API the list comes first (one request): `listed` gets it, members still
    unknown, so the window can show the groups at once; then every group's members are read."""
    secrets = ctx.secrets_for(profile)
    if secrets.client_id and secrets.client_secret is not None:
        with ctx.public_api(profile) as client:
            if listed is not None:
                names = read_groups(client, members=False, cancel=cancel)
                listed(index_groups(GroupSource.PUBLIC_API, names, complete=False))
            groups = read_groups(client, cancel=cancel, workers=GROUP_READERS)
        return index_groups(GroupSource.PUBLIC_API, groups)
    with ctx.scim_client(profile) as scim:
        return index_groups(GroupSource.SCIM, read_scim_groups(scim, cancel=cancel))


def read_one_group(
    ctx: AppContext, profile: str, group_id: str, cancel: CancelToken | None = None
) -> frozenset[str]:
    """One group's member ids (the Group filter's choice before all member lists are in)."""
    with ctx.public_api(profile) as client:
        return frozenset(client.group_member_ids(group_id, cancel=cancel))


def index_groups(
    source: GroupSource, groups: list[OrgGroup], *, complete: bool = True
) -> GroupsResult:
    """The lookups the window uses, built once per read (off the GUI thread)."""
    names: dict[str, list[str]] = {}
    members: dict[str, frozenset[str]] = {}
    for group in groups:
        if group.member_ids is None:
            continue
        members[group.id] = frozenset(group.member_ids)
        name = clean(group.name, 60)
        for member_id in group.member_ids:
            names.setdefault(member_id, []).append(name)
    return GroupsResult(
        source=source,
        groups=groups,
        member_groups={member_id: tuple(found) for member_id, found in names.items()},
        members=members,
        complete=complete,
    )
