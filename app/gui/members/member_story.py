"""One member's story for the details panel: the timeline from the history and what to do next.

Built on a worker and tested without a window: its only Qt is `QCoreApplication.translate`, which
needs no application and may run on any thread. The timeline is what this program
saw (first sightings, status changes, its own reinvites; Bitwarden reports no dates of its own).
The advice is the known pattern for the status: for an invitation pending long, the usual causes
with what to tell the person; for a revoked member since when and how they come back; for a staged
one that it uses no seat and what will invite them. Outside text (names, e-mails) is cleaned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication

from app.core.history import StatusChange
from app.core.invitations import Invitation, InvitationState, age, describe
from app.core.outside_text import clean
from app.core.public_api import MemberStatus
from app.gui.members.rows import MemberRow, RowStatus

#: An invitation pending longer than this gets the known causes.
LONG_PENDING = timedelta(days=1)


def _status_word(status: MemberStatus) -> str:
    """A status as the timeline says it ("first seen {0}")."""
    words = {
        MemberStatus.INVITED: QCoreApplication.translate("MemberStory", "invited"),
        MemberStatus.ACCEPTED: QCoreApplication.translate("MemberStory", "accepted the invitation"),
        MemberStatus.CONFIRMED: QCoreApplication.translate("MemberStory", "confirmed"),
        MemberStatus.REVOKED: QCoreApplication.translate("MemberStory", "revoked"),
        MemberStatus.STAGED: QCoreApplication.translate(
            "MemberStory", "staged (provisioned, not invited)"
        ),
    }
    return words.get(status, str(status))


def pending_causes() -> tuple[tuple[str, str], ...]:
    """Why someone stays invited, each with what to tell the person (the known pattern)."""
    return (
        (
            QCoreApplication.translate(
                "MemberStory",
                "They created a Bitwarden account with their work email themselves instead of "
                "following the invitation link, so the invitation is still open.",
            ),
            QCoreApplication.translate(
                "MemberStory",
                "Tell them: open the invitation email, click “Join organization” and log in "
                "with that same account; joining needs the link, an account alone does not.",
            ),
        ),
        (
            QCoreApplication.translate(
                "MemberStory",
                "The invitation email went to spam or junk, or a mail filter held it.",
            ),
            QCoreApplication.translate(
                "MemberStory",
                "Tell them: search the mailbox, spam folder included, for the invitation from "
                "no-reply@bitwarden.com (“Join … on Bitwarden”), and allow that sender.",
            ),
        ),
        (
            QCoreApplication.translate(
                "MemberStory",
                "The link expired: an invitation is valid for the organization's invitation "
                "expiry (5 days by default) and cannot be accepted after.",
            ),
            QCoreApplication.translate(
                "MemberStory",
                "Reinvite them, and tell them to use the newest email: older links stay invalid.",
            ),
        ),
    )


@dataclass(frozen=True)
class MemberStory:
    """What the panel shows: a heading, the timeline (time, event) and advice paragraphs."""

    title: str
    status_line: str
    timeline: list[tuple[datetime, str]] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)


def member_story(
    row: MemberRow,
    changes: Sequence[StatusChange],
    reinvites: Sequence[datetime],
    invitation: Invitation | None,
    now: datetime,
    group_names: Sequence[str] = (),
) -> MemberStory:
    """The story of `row` from its history (`changes` and `reinvites`, oldest first)."""
    name = clean(row.name, 80)
    email = clean(row.email, 120)
    title = f"{name} <{email}>" if name else email
    events: list[tuple[datetime, str]] = []
    for change in changes:
        words = _status_word(change.new)
        if change.old is None:
            words = QCoreApplication.translate("MemberStory", "first seen {0}").format(words)
        events.append((change.at, words))
    reinvited = QCoreApplication.translate("MemberStory", "reinvited by this program (a new link)")
    events += [(at, reinvited) for at in reinvites]
    events.sort(key=lambda item: item[0])
    status_line, advice = _status_advice(row, invitation, now, changes)
    if group_names:
        groups = ", ".join(clean(g, 60) for g in group_names)
        advice.append(QCoreApplication.translate("MemberStory", "Groups: {0}.").format(groups))
    return MemberStory(title=title, status_line=status_line, timeline=events, advice=advice)


def _status_advice(
    row: MemberRow,
    invitation: Invitation | None,
    now: datetime,
    changes: Sequence[StatusChange],
) -> tuple[str, list[str]]:
    status = row.status
    if status is RowStatus.INVITED:
        if invitation is None:
            return QCoreApplication.translate("MemberStory", "Invited, not accepted yet."), [
                QCoreApplication.translate(
                    "MemberStory",
                    "This computer has no sighting of the invitation yet, so its age is unknown "
                    "(Bitwarden reports no invitation dates).",
                )
            ]
        line = QCoreApplication.translate("MemberStory", "Invited, not accepted: {0}; {1}.").format(
            age(invitation, now), describe(invitation, now)
        )
        advice = [
            QCoreApplication.translate(
                "MemberStory",
                "Bitwarden reports no invitation dates: the age counts from when this program "
                "first saw the invitation or last reinvited, so the real invitation may be older.",
            )
        ]
        if (
            invitation.state is InvitationState.PROBABLY_EXPIRED
            or now - invitation.since > LONG_PENDING
        ):
            advice.append(
                QCoreApplication.translate(
                    "MemberStory", "Why people stay invited, and what to tell them:"
                )
            )
            advice += [f"• {cause} {what}" for cause, what in pending_causes()]
        return line, advice
    if status is RowStatus.ACCEPTED:
        return QCoreApplication.translate(
            "MemberStory", "Accepted the invitation; waits for you to confirm them."
        ), [
            QCoreApplication.translate(
                "MemberStory",
                "Until confirmed they see none of the organization's items. Confirm them after "
                "checking their fingerprint phrase with them.",
            )
        ]
    if status is RowStatus.REVOKED:
        since = _first_seen_in(changes, MemberStatus.REVOKED)
        line = (
            QCoreApplication.translate(
                "MemberStory", "Revoked since {0} (first seen): no access, uses no seat."
            ).format(since.astimezone().strftime("%Y-%m-%d %H:%M"))
            if since
            else QCoreApplication.translate("MemberStory", "Revoked: no access, uses no seat.")
        )
        return line, [
            QCoreApplication.translate(
                "MemberStory",
                "Okta revokes a member when the person is deactivated, deleted or unassigned "
                "from the Bitwarden app there (or an admin revoked them in Bitwarden).",
            ),
            QCoreApplication.translate(
                "MemberStory",
                "To restore them: assign the person to the Bitwarden app in Okta again (or "
                "reactivate them). SCIM's active: true restores their prior status: invited, "
                "accepted or confirmed, as before.",
            ),
        ]
    if status is RowStatus.STAGED:
        return QCoreApplication.translate(
            "MemberStory", "Staged: provisioned by Okta, not invited yet; uses no seat."
        ), [
            QCoreApplication.translate(
                "MemberStory",
                "Bitwarden stages new SCIM members while the organization's SCIM setting to "
                "invite users after provisioning is off: no invitation email has gone out.",
            ),
            QCoreApplication.translate(
                "MemberStory",
                "What invites them: an admin inviting them from the Admin Console's member "
                "list; people provisioned after the setting is turned on are invited at once.",
            ),
        ]
    if status is RowStatus.CONFIRMED:
        return QCoreApplication.translate(
            "MemberStory", "Confirmed: a full member with the organization's key."
        ), []
    return QCoreApplication.translate("MemberStory", "Active, as SCIM reports it."), [
        QCoreApplication.translate(
            "MemberStory",
            "Whether they accepted or are confirmed needs the organization's Public API key.",
        )
    ]


def _first_seen_in(changes: Sequence[StatusChange], status: MemberStatus) -> datetime | None:
    """When the member was last seen entering `status` (the current spell of it)."""
    found = [c.at for c in changes if c.new is status]
    return found[-1] if found else None
