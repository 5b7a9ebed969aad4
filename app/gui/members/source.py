"""Fetching the members of a profile's organization, on a worker thread (never the GUI thread).

With the Public API key saved, statuses come from the Public API and the local history records each
status change (so "waiting since" survives restarts). Without it only the SCIM view exists: who Okta
provisioned and whether they are active; the result says what is missing so the window can explain.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.core.cancel import CancelToken
from app.core.invitations import DEFAULT_EXPIRY_HOURS
from app.gui.members.heap_trim import release_free_memory
from app.gui.members.rows import (
    STATUS_BY_VALUE,
    Column,
    MemberRow,
    RowStatus,
    UpdatePlan,
    count_by_status,
    plan_update,
)
from app.gui.members.search_index import SearchIndex

if TYPE_CHECKING:
    from app.core.endpoints import Endpoints
    from app.core.history import Sighting
    from app.core.public_api import MemberSummary
    from app.core.scim_client import ScimUser
    from app.gui.context import AppContext
    from app.gui.members.okta_index import OktaIndex


class ViewMode:
    """Which API the rows came from."""

    PUBLIC_API = "public_api"
    SCIM_ONLY = "scim_only"


@dataclass(frozen=True)
class FetchResult:
    """One refresh's outcome, ready for the GUI thread to apply."""

    mode: str
    plan: UpdatePlan
    fetched_at: datetime
    endpoints: Endpoints | None = None
    #: Why the local history could not be read or written (the refresh itself succeeded).
    history_problem: str | None = None
    #: Members per status after this refresh (counted here, off the GUI thread).
    counts: dict[RowStatus, int] = field(default_factory=dict)
    #: Ids of the members who can be confirmed now (accepted, with an account).
    confirmable: list[str] = field(default_factory=list)
    #: The profile's invitation lifetime (120 h unless a self-hosted server changed it).
    expiry_hours: int = DEFAULT_EXPIRY_HOURS
    #: Ids of the invited members whose invitation has probably expired at `fetched_at`.
    expired: list[str] = field(default_factory=list)


def row_from_member(
    member: MemberSummary, first_seen: datetime | None, last_reinvite: datetime | None = None
) -> MemberRow:
    # Positional and with a dict lookup for the status: this runs 100,000 times per refresh.
    return MemberRow(
        member.id,
        member.email,
        member.name or "",
        STATUS_BY_VALUE[member.status],
        int(member.type),
        member.external_id or "",
        member.two_factor_enabled,
        member.user_id,
        first_seen,
        last_reinvite,
    )


def row_from_scim_user(user: ScimUser) -> MemberRow:
    return MemberRow(
        id=user.id,
        email=user.email,
        name=user.display_name or "",
        status=RowStatus.PROVISIONED if user.active else RowStatus.REVOKED,
        external_id=user.external_id or "",
    )


@dataclass
class FetchRequest:
    """What a refresh needs from the GUI thread, copied there (the worker touches no Qt object)."""

    context: AppContext
    profile: str
    old_rows: list[MemberRow]
    old_keys: list[str]
    sort_column: Column
    sort_descending: bool
    initial: bool
    #: (member id, status) -> first seen in that status; kept by the window across refreshes.
    first_seen: dict[tuple[str, int], datetime] = field(default_factory=dict)
    #: Search indexes the table no longer uses, freed here (slowly) rather than on the GUI thread.
    retired: list[SearchIndex] = field(default_factory=list)
    #: Member id -> group names (the Groups column sorts by them); the model's, never mutated.
    member_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The Okta column's reading (its sort keys, when the table is sorted by it).
    okta: OktaIndex | None = None
    #: Member id -> position in `old_rows` (the model's, never mutated); None: built here.
    positions: Mapping[str, int] | None = None


#: Past this many status changes in one refresh, re-read every first-seen time in one query.
_BULK_FIRST_SEEN = 500


def waiting_since(request: FetchRequest, sighting: Sighting) -> dict[tuple[str, int], datetime]:
    """First-seen times of invited, accepted and revoked members, from the local history.

    The first refresh reads them all (one query per status); later ones only ask about the
    members whose status changed, so a quiet 100,000-member refresh costs no history read. The
    sighting is not written yet: a status first seen now counts from its time, as the history's
    earliest sighting will once it is saved (so 100,000 new members are not read back).
    """
    from app.core.public_api import MemberStatus

    history, profile, cache = request.context.history, request.profile, request.first_seen
    changes = sighting.changes
    waiting = (MemberStatus.INVITED, MemberStatus.ACCEPTED, MemberStatus.REVOKED)
    if not cache or len(changes) > _BULK_FIRST_SEEN:
        cache.clear()
        for status in waiting:
            for member_id, at in history.first_seen_all(profile, status).items():
                cache[(member_id, int(status))] = at
    else:
        for change in changes:
            if change.new in waiting:
                since = history.first_seen(profile, change.member_id, change.new)
                if since is not None:
                    cache[(change.member_id, int(change.new))] = since
    get = cache.get
    for change in changes:
        if change.new in waiting:
            key = (change.member_id, int(change.new))
            earlier = get(key)
            if earlier is None or change.at < earlier:
                cache[key] = change.at
    return cache


def fetch(
    request: FetchRequest,
    cancel: CancelToken | None = None,
    *,
    show: Callable[[FetchResult], None] | None = None,
) -> FetchResult:
    """Fetch, build rows, diff them against what is shown and record the history. Blocking.

    With `show`, the result is handed to it before the history is written (the first sighting of
    100,000 members takes about a second to write; the table needs none of it), and the returned
    result also says whether that write failed.
    """
    for index in request.retired:
        index.release()
    ctx = request.context
    profile = ctx.profile(request.profile)
    secrets = ctx.secrets_for(request.profile)
    endpoints = ctx.endpoints_for(request.profile)
    now = datetime.now().astimezone()
    sighting: Sighting | None = None
    history_problem: str | None = None
    try:
        if secrets.client_id and secrets.client_secret is not None:
            with ctx.public_api(request.profile) as client:
                fetched: list[Any] = client.list_member_summaries(
                    cancel=cancel, known=known_members(request.old_rows, request.positions)
                )
            try:
                sighting = ctx.history.sight(profile.name, fetched, now=now)
                seen = waiting_since(request, sighting)
                reinvited = ctx.history.last_reinvites(profile.name)
            except (sqlite3.Error, OSError) as exc:
                # The statuses are still right; only "waiting since" is missing. Say so, go on.
                history_problem = _problem(exc)
                seen, reinvited = request.first_seen, {}
            rows = rows_from_members(fetched, seen, reinvited)
            release_in_slices(fetched)  # the rows hold what is needed of them
            expired = expired_invitations(rows, now, profile.invite_expiry_hours)
            mode = ViewMode.PUBLIC_API
        else:
            with ctx.scim_client(request.profile) as scim:
                fetched = scim.list_users(cancel=cancel)
            rows = [row_from_scim_user(user) for user in fetched]
            expired = []
            mode = ViewMode.SCIM_ONLY
        if cancel is not None:
            cancel.raise_if_cancelled()
        plan = plan_update(
            request.old_rows,
            request.old_keys,
            rows,
            sort_column=request.sort_column,
            sort_descending=request.sort_descending,
            initial=request.initial,
            groups=request.member_groups,
            okta=request.okta,
        )
        # Free the parsed members and the rows equal to ones already shown here, in slices: one
        # big free would hold the GIL (and so the GUI thread) for tens of milliseconds.
        release_in_slices(fetched)
        release_in_slices(rows)
        result = FetchResult(
            mode=mode,
            plan=plan,
            fetched_at=now,
            endpoints=endpoints,
            history_problem=history_problem,
            counts=count_by_status(plan.rows),
            confirmable=[row.id for row in plan.rows if row.can_confirm],
            expiry_hours=profile.invite_expiry_hours,
            expired=expired,
        )
        if show is not None:
            show(result)
    finally:
        # Written even when the refresh failed or was cancelled after the fetch: the members
        # were seen (and the turn must end).
        written = _save(sighting)
    if written is not None and history_problem is None:
        result = replace(result, history_problem=written)
    if len(plan.kept) + len(plan.added) >= _TRIM_FROM_ROWS:
        release_free_memory()
    return result


def known_members(
    rows: list[MemberRow], positions: Mapping[str, int] | None = None
) -> Callable[[str], MemberSummary | None]:
    """The members shown, as the Public API summaries they were built from (by member id).

    `list_member_summaries` then keeps these for the members who did not change, and their new
    copies die as the list is decoded: an unchanged member's text is held once, not twice, at
    the refresh's peak (bench: members_100000_peak_rss_mb). A row that cannot be told apart
    from a different summary (a name shown blank: None or "") just finds no match. `positions`
    (member id -> row, the model's) spares building a second such map (5 MB at 100,000 rows,
    at that peak); a position that does not hold that member counts as no match.
    """
    from app.core.public_api import MemberStatus, MemberSummary, MemberType

    if positions is None:
        positions = {row[0]: position for position, row in enumerate(rows)}
    statuses = {int(status): status for status in MemberStatus}
    roles = {int(role): role for role in MemberType}
    get, count = positions.get, len(rows)

    def known(member_id: str) -> MemberSummary | None:
        position = get(member_id)
        if position is None or not 0 <= position < count:
            return None
        row = rows[position]
        if row[0] != member_id or row.two_step is None:  # a SCIM-only row: not a Public API one
            return None
        status, role = statuses.get(int(row.status)), roles.get(row.role or 0)
        if status is None or role is None or row.role is None:
            return None
        return MemberSummary(
            row.id,
            row.email,
            row.name or None,
            status,
            role,
            row.external_id or None,
            row.two_step,
            row.user_id,
        )

    return known


def rows_from_members(
    fetched: list[MemberSummary],
    seen: dict[tuple[str, int], datetime],
    reinvited: dict[str, datetime],
) -> list[MemberRow]:
    """The table's rows, with each waiting member's first sighting and last reinvite."""
    from app.core.public_api import MemberStatus

    waiting = (MemberStatus.INVITED, MemberStatus.ACCEPTED, MemberStatus.REVOKED)
    invited = MemberStatus.INVITED
    rows = []
    get, reinvited_at = seen.get, reinvited.get
    for member in fetched:
        status = member.status
        since = get((member.id, int(status))) if status in waiting else None
        last = reinvited_at(member.id) if status is invited else None
        rows.append(row_from_member(member, since, last))
    return rows


def _save(sighting: Sighting | None) -> str | None:
    """Write a sighting; why it could not be written, or None."""
    if sighting is None:
        return None
    try:
        sighting.save()
    except (sqlite3.Error, OSError) as exc:
        return _problem(exc)
    return None


def _problem(exc: BaseException) -> str:
    return str(exc) or exc.__class__.__name__


def expired_invitations(rows: list[MemberRow], now: datetime, expiry_hours: int) -> list[str]:
    """Ids of the invited members whose link has probably expired (`app.core.invitations`)."""
    cutoff = now - timedelta(hours=expiry_hours)
    return [row.id for row in rows if (since := row.invitation_since) and since <= cutoff]


#: Trim the C heap after refreshes of at least this many members (small ones free little).
_TRIM_FROM_ROWS = 10_000


def release_in_slices(items: list[Any], size: int = 2000) -> None:
    """Empty a list this thread owns a slice at a time (each slice frees quickly)."""
    while items:
        del items[-size:]
