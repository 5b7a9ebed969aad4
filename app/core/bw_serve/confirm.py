"""Confirming a batch of members through one `bw serve`, safe to run again after an interruption.

`confirm_members` re-reads every status from `bw serve` first, confirms only members who are
*accepted* right now, reports each member, and locks the vault again afterwards — also after an
error or a cancel. With the phrases the admin verified, each member's fingerprint phrase is read
again right before and right after its confirm.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, SecretStr

from app.core import bw_cli_messages
from app.core import messages as msg
from app.core.bw_serve.client import BwServeClient, BwServeError, OrgMember
from app.core.cancel import CancelToken
from app.core.public_api import Member, MemberStatus

#: "mismatch": the member's fingerprint phrase read right before (or right after) the confirm is
#: not the one the admin verified.
ConfirmResult = Literal["confirmed", "skipped", "failed", "mismatch"]


class ConfirmOutcome(BaseModel):
    """One member's result; `reason` is plain words, `cli_message` the CLI's own (for support)."""

    model_config = ConfigDict(frozen=True)

    member_id: str
    email: str
    result: ConfirmResult
    reason: str | None = None
    cli_message: str | None = None


_SKIP_REASONS = {
    MemberStatus.INVITED: msg.CONFIRM_SKIP_INVITED,
    MemberStatus.CONFIRMED: msg.CONFIRM_SKIP_CONFIRMED,
    MemberStatus.REVOKED: msg.CONFIRM_SKIP_REVOKED,
    MemberStatus.STAGED: msg.CONFIRM_SKIP_STAGED,
}


def confirm_members(
    client: BwServeClient,
    org_id: str,
    members: list[Member],
    password: SecretStr,
    *,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int, ConfirmOutcome], None] | None = None,
    expected: Mapping[str, str] | None = None,
) -> list[ConfirmOutcome]:
    """Confirm the members who are accepted *now*; report every member; lock again at the end.

    `expected` (member id → the phrase the admin verified): in the same unlocked session each
    member's phrase is read again right before its confirm (a difference: not confirmed,
    "mismatch") and right after (a difference: "mismatch" with an alert). `bw confirm` fetches
    the public key once more by itself, so this narrows the gap but cannot close it.
    Raises `BwServeError` only when unlocking or re-reading the statuses fails (nothing was
    confirmed then). A cancel stops before the next member; the rest are reported as skipped.
    """
    client.unlock(password)
    outcomes: list[ConfirmOutcome] = []
    unsure: set[str] = set()
    try:
        current = {m.id.lower(): m for m in client.list_org_members(org_id)}
        total = len(members)
        for index, member in enumerate(members, start=1):
            if cancel is not None and cancel.cancelled:
                outcome = _outcome(member, "skipped", msg.CANCELLED_BEFORE_MEMBER)
            else:
                now = current.get(member.id.lower())
                phrase = expected.get(member.id) if expected is not None else None
                outcome = _confirm_one(client, org_id, member, now, unsure, phrase)
            outcomes.append(outcome)
            if progress is not None:
                progress(index, total, outcome)
        outcomes = _settle_unsure(client, org_id, outcomes, unsure)
    finally:
        with contextlib.suppress(BwServeError):
            client.lock()
    return outcomes


def _settle_unsure(
    client: BwServeClient, org_id: str, outcomes: list[ConfirmOutcome], unsure: set[str]
) -> list[ConfirmOutcome]:
    """A confirm whose answer was lost (a reset, a timeout, a 5xx) may have been done: ask once
    more, so the report says exactly who is confirmed. When asking fails too, the outcomes stay as
    they are (a rerun skips whoever was confirmed)."""
    if not unsure:
        return outcomes
    try:
        now = {m.id.lower(): m.status for m in client.list_org_members(org_id)}
    except BwServeError:
        return outcomes
    return [
        o.model_copy(update={"result": "confirmed", "reason": msg.CONFIRM_ANSWER_LOST})
        if o.member_id.lower() in unsure and now.get(o.member_id.lower()) == MemberStatus.CONFIRMED
        else o
        for o in outcomes
    ]


def fingerprints(
    client: BwServeClient, members: list[Member], password: SecretStr
) -> dict[str, str | None]:
    """Each member's fingerprint phrase (None without a userId); locks again afterwards."""
    client.unlock(password)
    try:
        return {m.id: client.fingerprint(m.user_id) if m.user_id else None for m in members}
    finally:
        with contextlib.suppress(BwServeError):
            client.lock()


def _same_phrase(a: str, b: str) -> bool:
    return "-".join(a.lower().replace("-", " ").split()) == "-".join(
        b.lower().replace("-", " ").split()
    )


def _confirm_one(
    client: BwServeClient,
    org_id: str,
    member: Member,
    now: OrgMember | None,
    unsure: set[str],
    phrase: str | None = None,
) -> ConfirmOutcome:
    """Confirm one member if accepted; adds its id to `unsure` when the answer was lost.

    With `phrase`, the member's phrase is read again right before and right after the confirm."""
    if now is None:
        return _outcome(member, "skipped", msg.CONFIRM_NO_LONGER_MEMBER)
    if now.status != MemberStatus.ACCEPTED:
        try:
            why = _SKIP_REASONS[MemberStatus(now.status)]
        except (ValueError, KeyError):
            why = msg.CONFIRM_SKIP_OTHER_STATUS.format(status=now.status)
        return _outcome(member, "skipped", why)
    if phrase is not None:
        if not member.user_id:
            return _outcome(member, "skipped", msg.CONFIRM_NO_ACCOUNT)
        try:
            before = client.fingerprint(member.user_id)
        except BwServeError as exc:
            return _outcome(member, "failed", exc.message, exc.cli_message)
        if not _same_phrase(before, phrase):
            return _outcome(member, "mismatch", msg.CONFIRM_CHANGED_BEFORE)
    try:
        client.confirm(member.id, org_id)
    except BwServeError as exc:
        if exc.unsure:
            unsure.add(member.id.lower())
        # Refused for the member's state (it changed since the list was read): not an error.
        refusal = bw_cli_messages.member_refusal(exc.cli_message) if exc.cli_message else None
        if refusal is not None:
            return _outcome(member, "skipped", refusal, exc.cli_message)
        return _outcome(member, "failed", exc.message, exc.cli_message)
    if phrase is not None and member.user_id:
        try:
            after: str | None = client.fingerprint(member.user_id)
        except BwServeError:
            after = None
        if after is None or not _same_phrase(after, phrase):
            return _outcome(member, "mismatch", msg.CONFIRM_CHANGED_AFTER)
    return _outcome(member, "confirmed", None)


def _outcome(
    member: Member, result: ConfirmResult, reason: str | None, cli_message: str | None = None
) -> ConfirmOutcome:
    return ConfirmOutcome(
        member_id=member.id,
        email=member.email,
        result=result,
        reason=reason,
        cli_message=cli_message,
    )
