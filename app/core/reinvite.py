"""Reinvite members, paced within the cloud's limits, each with its own outcome.

Bitwarden's cloud allows the Public API 60 POSTs a minute (5 a second) per address; a reinvite
is one POST, so by default one goes out per `DEFAULT_INTERVAL` seconds and a 429 is waited out by
the client (`Retry-After`). Between the listing and the reinvite a person may accept: the server
then refuses (`User invalid.`), the member is looked up again, and an accepted member is skipped,
not failed. Each reinvite sent is recorded in the history, so the invitation's expiry restarts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from app.core import messages as msg
from app.core.cancel import Cancelled, CancelToken
from app.core.history import History
from app.core.public_api import Member, MemberStatus, PublicApiError

#: Seconds between two reinvites: 60 a minute, the cloud's POST limit.
DEFAULT_INTERVAL = 1.0


class ReinviteResult(StrEnum):
    REINVITED = "reinvited"
    SKIPPED = "skipped"
    FAILED = "failed"


class ReinviteOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: str
    member_id: str
    result: ReinviteResult
    reason: str | None = None
    at: datetime | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "email": self.email,
            "member_id": self.member_id,
            "result": self.result.value,
            "reason": self.reason,
            "at": self.at.isoformat() if self.at else None,
        }


class ReinviteTarget(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def email(self) -> str: ...


class ReinviteClient(Protocol):
    """What reinviting needs of `PublicApiClient`."""

    def reinvite(self, member_id: str, cancel: CancelToken | None = None) -> None: ...
    def get_member(self, member_id: str, cancel: CancelToken | None = None) -> Member: ...


def reinvite_members(
    client: ReinviteClient,
    members: Iterable[ReinviteTarget],
    *,
    history: History | None = None,
    profile: str | None = None,
    cancel: CancelToken | None = None,
    interval: float = DEFAULT_INTERVAL,
    progress: Callable[[int, ReinviteOutcome], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[ReinviteOutcome]:
    """Reinvite each member in turn; a cancel marks the rest skipped ("cancelled")."""
    outcomes: list[ReinviteOutcome] = []
    pending = list(members)
    last_sent: float | None = None
    for index, member in enumerate(pending):
        try:
            if last_sent is not None and interval > 0:
                _wait(interval - (time.monotonic() - last_sent), cancel)
            if cancel is not None:
                cancel.raise_if_cancelled()
            last_sent = time.monotonic()
            outcome = _one(client, member, cancel, clock)
        except Cancelled:
            outcomes += [
                ReinviteOutcome(
                    email=m.email,
                    member_id=m.id,
                    result=ReinviteResult.SKIPPED,
                    reason=msg.CANCELLED_BEFORE_MEMBER,
                )
                for m in pending[index:]
            ]
            break
        if outcome.result is ReinviteResult.REINVITED and history and profile and outcome.at:
            history.record_reinvite(profile, member.id, member.email, now=outcome.at)
        outcomes.append(outcome)
        if progress is not None:
            progress(index + 1, outcome)
    return outcomes


def _one(
    client: ReinviteClient,
    member: ReinviteTarget,
    cancel: CancelToken | None,
    clock: Callable[[], datetime],
) -> ReinviteOutcome:
    def outcome(result: ReinviteResult, reason: str | None = None) -> ReinviteOutcome:
        at = clock() if result is ReinviteResult.REINVITED else None
        return ReinviteOutcome(
            email=member.email, member_id=member.id, result=result, reason=reason, at=at
        )

    try:
        client.reinvite(member.id, cancel=cancel)
        return outcome(ReinviteResult.REINVITED)
    except PublicApiError as error:
        if error.status == 404:
            return outcome(ReinviteResult.SKIPPED, "no longer in the organization")
        if error.status != 400:
            return outcome(ReinviteResult.FAILED, error.message)
        refusal = error.message
    try:
        now = client.get_member(member.id, cancel=cancel)
    except PublicApiError:
        return outcome(ReinviteResult.FAILED, refusal)
    if now.status is not MemberStatus.INVITED:
        return outcome(ReinviteResult.SKIPPED, f"{now.status.label} meanwhile, no longer invited")
    return outcome(ReinviteResult.FAILED, refusal)


def _wait(seconds: float, cancel: CancelToken | None) -> None:
    if seconds <= 0:
        return
    if cancel is None:
        time.sleep(seconds)
    elif cancel.wait(seconds):
        raise Cancelled()
