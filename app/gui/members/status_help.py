"""What each filter of the members window means: one line for the admin, under the status buttons.

Each says what the status means, what the admin can do, and what the member must do, so the admin
needs no forum search to act on "Invited" or "Revoked".
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from PySide6.QtCore import QCoreApplication

from app.gui.members.rows import RowStatus

#: The "Expired invitations" filter (invited members whose link has probably expired).
EXPIRED: Literal["expired"] = "expired"
#: The Okta filters (only with an Okta token): members Okta does not assign, members whose app
#: username is not their e-mail, and people in Okta who are not members at all.
OKTA_NOT_ASSIGNED: Literal["okta_not_assigned"] = "okta_not_assigned"
OKTA_USERNAME: Literal["okta_username"] = "okta_username"
OKTA_ONLY: Literal["okta_only"] = "okta_only"
OktaView: TypeAlias = Literal["okta_not_assigned", "okta_username", "okta_only"]
OKTA_VIEWS: tuple[OktaView, ...] = (OKTA_NOT_ASSIGNED, OKTA_USERNAME, OKTA_ONLY)
#: What the window shows: everyone (None), one status, the expired invitations, an Okta filter.
FilterView: TypeAlias = RowStatus | Literal["expired"] | OktaView | None


def filter_help(view: FilterView, *, scim_only: bool = False) -> str:
    """The line shown under the filters for `view`."""
    if view is None:
        if scim_only:
            return QCoreApplication.translate(
                "StatusHelp",
                "Everyone Okta provisioned, as SCIM reports them. Statuses (invited, accepted, "
                "confirmed) need the organization's Public API key.",
            )
        return QCoreApplication.translate(
            "StatusHelp",
            "Everyone in the organization. Needs confirmation: confirm them. Invited: waiting "
            "for the person to accept. Choose a status to see what it means.",
        )
    if view == OKTA_NOT_ASSIGNED:
        return QCoreApplication.translate(
            "StatusHelp",
            "Members Okta does not assign to the Bitwarden app (revoked ones aside): added in "
            "Bitwarden by hand, or unassigned in Okta while Deactivate Users was off. You: assign "
            "them in Okta, or remove them in Bitwarden.",
        )
    if view == OKTA_USERNAME:
        return QCoreApplication.translate(
            "StatusHelp",
            "Members whose app username in Okta is not their e-mail: Bitwarden matches existing "
            "users only by a userName with an @, so Okta's updates may conflict. You: set the "
            "app's Application username format to Email in Okta.",
        )
    if view == OKTA_ONLY:
        return QCoreApplication.translate(
            "StatusHelp",
            "People Okta assigned to the app who are not Bitwarden members, with Okta's reason "
            "(from its System Log). They are not members: not counted, not confirmed or "
            "reinvited, not in the export. You: fix the reason in Okta, then retry the task.",
        )
    if view == EXPIRED:
        return QCoreApplication.translate(
            "StatusHelp",
            "Invitations older than the organization's invitation expiry, counted from when this "
            "program first saw them or last reinvited (Bitwarden reports no invitation dates). "
            "You: reinvite them. The member: use the new email's link, not the old one.",
        )
    texts = {
        RowStatus.ACCEPTED: QCoreApplication.translate(
            "StatusHelp",
            "Accepted the invitation and cannot see any of the organization's items yet. You: "
            "confirm them (check the fingerprint phrase). The member: nothing more to do.",
        ),
        RowStatus.INVITED: QCoreApplication.translate(
            "StatusHelp",
            "Invited by email, not accepted yet. You: reinvite if the link expired (5 days by "
            "default). The member: open the invitation email and follow its link, logging in or "
            "creating the account with that same work email.",
        ),
        RowStatus.STAGED: QCoreApplication.translate(
            "StatusHelp",
            "Provisioned by Okta but not invited yet; uses no seat. Bitwarden invites them when "
            "a seat is free or when the organization's SCIM setting invites new members. "
            "The member: nothing to do until the invitation arrives.",
        ),
        RowStatus.CONFIRMED: QCoreApplication.translate(
            "StatusHelp",
            "Full members: they have the organization's key and see its collections. "
            "Nothing to do.",
        ),
        RowStatus.REVOKED: QCoreApplication.translate(
            "StatusHelp",
            "No access (deactivated or unassigned in Okta, or revoked by an admin); uses no seat. "
            "You: to restore someone, assign them to the Bitwarden app in Okta again (SCIM's "
            "active: true restores their prior status). The member: nothing to do.",
        ),
        RowStatus.PROVISIONED: QCoreApplication.translate(
            "StatusHelp",
            "Active, as SCIM reports it. Whether they accepted or are confirmed needs the "
            "organization's Public API key (add it to this profile).",
        ),
    }
    return texts[view]
