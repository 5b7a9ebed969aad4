"""How old each pending invitation is, and whether its link has probably expired.

Bitwarden reports no invitation dates (neither the Public API nor SCIM), so an invitation's age
counts from what this program saw: the first time the member was seen invited, or the last
reinvite this program sent, whichever is later. An invitation link is valid for
`OrganizationInviteExpirationHours` (120 h = 5 days on the cloud; a self-hosted server may change
it, hence the profile setting). The real invitation may be older than the first sighting, so
"expires" is an upper bound and the last state is "probably expired", never "expired".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

#: `GlobalSettings.OrganizationInviteExpirationHours` on the cloud and by default.
DEFAULT_EXPIRY_HOURS = 120
#: Less than this left: "expiring" (worth a reinvite before the person finds a dead link).
EXPIRING_WITHIN = timedelta(hours=24)
#: Self-hosted servers can set anything; more than a year is a typo.
MAX_EXPIRY_HOURS = 24 * 366


class InvitationState(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    PROBABLY_EXPIRED = "probably_expired"


class Invitation(BaseModel):
    """One pending invitation's age: `since` is the first sighting or the last reinvite."""

    model_config = ConfigDict(frozen=True)

    first_seen: datetime
    since: datetime
    expires_at: datetime
    state: InvitationState
    reinvited: bool

    def as_json(self) -> dict[str, str]:
        """The `members --json` object (interfaces.md)."""
        return {
            "first_seen": self.first_seen.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "state": self.state.value,
        }


def check_expiry_hours(hours: int) -> int:
    """A usable expiry in hours; `ValueError` with a plain sentence otherwise."""
    if not 1 <= hours <= MAX_EXPIRY_HOURS:
        raise ValueError(f"the invitation expiry must be from 1 to {MAX_EXPIRY_HOURS} hours.")
    return hours


def invitation(
    first_seen: datetime,
    last_reinvite: datetime | None,
    now: datetime,
    expiry_hours: int = DEFAULT_EXPIRY_HOURS,
) -> Invitation:
    """The invitation's state at `now`."""
    since = max(first_seen, last_reinvite) if last_reinvite is not None else first_seen
    expires_at = since + timedelta(hours=expiry_hours)
    left = expires_at - now
    if left <= timedelta(0):
        state = InvitationState.PROBABLY_EXPIRED
    elif left <= EXPIRING_WITHIN:
        state = InvitationState.EXPIRING
    else:
        state = InvitationState.VALID
    return Invitation(
        first_seen=first_seen,
        since=since,
        expires_at=expires_at,
        state=state,
        reinvited=last_reinvite is not None and last_reinvite >= first_seen,
    )


def invitations(
    first_seen: Mapping[str, datetime],
    reinvites: Mapping[str, datetime],
    member_ids: list[str],
    now: datetime,
    expiry_hours: int = DEFAULT_EXPIRY_HOURS,
) -> dict[str, Invitation]:
    """`invitation` for every invited member id that has a first sighting."""
    return {
        member_id: invitation(first_seen[member_id], reinvites.get(member_id), now, expiry_hours)
        for member_id in member_ids
        if member_id in first_seen
    }


def describe(item: Invitation, now: datetime) -> str:
    """Plain words for the window and the table: "expires in about 2 days", "probably expired"."""
    if item.state is InvitationState.PROBABLY_EXPIRED:
        return "probably expired"
    return "expires in about " + _span(item.expires_at - now)


def age(item: Invitation, now: datetime) -> str:
    """ "invited 3 days ago (first seen)" or "reinvited 1 day ago"."""
    what = "reinvited" if item.reinvited else "invited"
    suffix = "" if item.reinvited else " (first seen)"
    return f"{what} {_span(now - item.since)} ago{suffix}"


def _span(delta: timedelta) -> str:
    hours = max(delta.total_seconds(), 0) / 3600
    if hours < 1:
        return "less than an hour"
    if hours < 36:
        count = round(hours)
        return f"{count} hour" + ("" if count == 1 else "s")
    days = round(hours / 24)
    return f"{days} day" + ("" if days == 1 else "s")
