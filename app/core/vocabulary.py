"""The words a person reads for members: statuses, roles, invitation states, on/off, column titles.

One vocabulary for the members window, its CSV export and `scim-assistant members` (text and CSV),
so that an admin who reads "Needs confirmation" in the window reads it in the spreadsheet and the
terminal too (issue 16, item 10). Each word is keyed by the stable machine value that `members
--json` prints (`accepted`, `user`, `probably_expired`, booleans): those values are the
command-line contract and never change; the words here are for people and may.

Qt-free, so the core, the commands and the GUI all import it. The GUI passes each word through its
translator (`QCoreApplication.translate`); the CSV export writes these words as they are, so a file
reads the same whichever language the window shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate reads
    """Mark `text` for Qt's `lupdate` under `context`, and return it unchanged.

    The core imports no Qt, but `lupdate` reads source text and knows this name: every word marked
    here lands in the translation file, and the GUI shows it through
    `QCoreApplication.translate("Vocabulary", word)`. Files and the terminal get the English.
    """
    return text


class Status(StrEnum):
    """A member's status as `members --json` names it (and the SCIM-only view's `provisioned`)."""

    ACCEPTED = "accepted"
    INVITED = "invited"
    STAGED = "staged"
    #: The SCIM-only view's active user: without the Public API key invited, accepted and
    #: confirmed cannot be told apart.
    PROVISIONED = "provisioned"
    CONFIRMED = "confirmed"
    REVOKED = "revoked"


#: What the admin reads for each status.
STATUS_LABELS: Mapping[Status, str] = MappingProxyType(
    {
        Status.ACCEPTED: QT_TRANSLATE_NOOP("Vocabulary", "Needs confirmation"),
        Status.INVITED: QT_TRANSLATE_NOOP("Vocabulary", "Invited"),
        Status.STAGED: QT_TRANSLATE_NOOP("Vocabulary", "Staged (not yet invited)"),
        Status.PROVISIONED: QT_TRANSLATE_NOOP("Vocabulary", "Active"),
        Status.CONFIRMED: QT_TRANSLATE_NOOP("Vocabulary", "Confirmed"),
        Status.REVOKED: QT_TRANSLATE_NOOP("Vocabulary", "Revoked"),
    }
)

#: Who needs the admin first: the order of the status filters, the text output and the CSV.
STATUS_ORDER: tuple[Status, ...] = tuple(Status)

#: The statuses whose "first seen in this status" is a wait worth showing (the Waiting column).
WAITING_STATUSES: frozenset[Status] = frozenset({Status.INVITED, Status.ACCEPTED, Status.REVOKED})

#: Roles by Bitwarden's number (`OrganizationUserType`); `members --json` prints them lower-cased.
ROLE_LABELS: Mapping[int, str] = MappingProxyType(
    {
        0: QT_TRANSLATE_NOOP("Vocabulary", "Owner"),
        1: QT_TRANSLATE_NOOP("Vocabulary", "Admin"),
        2: QT_TRANSLATE_NOOP("Vocabulary", "User"),
        3: QT_TRANSLATE_NOOP("Vocabulary", "Manager"),
        4: QT_TRANSLATE_NOOP("Vocabulary", "Custom"),
    }
)

#: A role this program does not know yet.
UNKNOWN_ROLE = QT_TRANSLATE_NOOP("Vocabulary", "Unknown")

#: A pending invitation's state (`members --json`'s `invitation.state`), as the admin reads it.
INVITATION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "valid": QT_TRANSLATE_NOOP("Vocabulary", "Valid"),
        "expiring": QT_TRANSLATE_NOOP("Vocabulary", "Expires within a day"),
        "probably_expired": QT_TRANSLATE_NOOP("Vocabulary", "Probably expired"),
    }
)

#: A switch such as two-step login (`members --json` prints a boolean).
ON, OFF = QT_TRANSLATE_NOOP("Vocabulary", "On"), QT_TRANSLATE_NOOP("Vocabulary", "Off")


class Field(StrEnum):
    """A member column: the window's table, the CSV export and `members` text and CSV."""

    NAME = "name"
    EMAIL = "email"
    STATUS = "status"
    ROLE = "role"
    EXTERNAL_ID = "external_id"
    TWO_STEP = "two_step_login"
    WAITING = "waiting"
    INVITATION = "invitation"
    INVITATION_EXPIRES = "invitation_expires"
    GROUPS = "groups"
    MEMBER_ID = "member_id"
    USER_ID = "user_id"


#: Each column's title. The table's Waiting column shows how long ("3 days"); a file or the
#: terminal shows since when, hence its own title there (`WAITING_SINCE`).
TITLES: Mapping[Field, str] = MappingProxyType(
    {
        Field.NAME: QT_TRANSLATE_NOOP("Vocabulary", "Name"),
        Field.EMAIL: QT_TRANSLATE_NOOP("Vocabulary", "Email"),
        Field.STATUS: QT_TRANSLATE_NOOP("Vocabulary", "Status"),
        Field.ROLE: QT_TRANSLATE_NOOP("Vocabulary", "Role"),
        Field.EXTERNAL_ID: QT_TRANSLATE_NOOP("Vocabulary", "SCIM external id"),
        Field.TWO_STEP: QT_TRANSLATE_NOOP("Vocabulary", "Two-step login"),
        Field.WAITING: QT_TRANSLATE_NOOP("Vocabulary", "Waiting (first seen)"),
        Field.INVITATION: QT_TRANSLATE_NOOP("Vocabulary", "Invitation"),
        Field.INVITATION_EXPIRES: QT_TRANSLATE_NOOP("Vocabulary", "Invitation expires (about)"),
        Field.GROUPS: QT_TRANSLATE_NOOP("Vocabulary", "Groups"),
        Field.MEMBER_ID: QT_TRANSLATE_NOOP("Vocabulary", "Member id"),
        Field.USER_ID: QT_TRANSLATE_NOOP("Vocabulary", "User id"),
    }
)
WAITING_SINCE = QT_TRANSLATE_NOOP("Vocabulary", "Waiting since (first seen)")
#: The members window's Okta column (shown once Okta was read), also the last column of its
#: export then; the cells are the window's words for each member's state in Okta.
OKTA_TITLE = QT_TRANSLATE_NOOP("Vocabulary", "Okta")

#: The members table's columns as shown, left to right: who, the status and what the admin acts on
#: (the invitation, the wait) first, then the details, so that the table beside the details
#: panel still shows the Invitation column whole.
TABLE_ORDER: tuple[Field, ...] = (
    Field.NAME,
    Field.EMAIL,
    Field.STATUS,
    Field.INVITATION,
    Field.WAITING,
    Field.ROLE,
    Field.EXTERNAL_ID,
    Field.TWO_STEP,
    Field.GROUPS,
)

#: The members CSV's columns, in order (the window's export and `members --csv` alike): the
#: table's, the invitation's expiry beside it, the ids last, no groups (`groups --csv` has them).
CSV_FIELDS: tuple[Field, ...] = (
    Field.NAME,
    Field.EMAIL,
    Field.STATUS,
    Field.INVITATION,
    Field.INVITATION_EXPIRES,
    Field.WAITING,
    Field.ROLE,
    Field.EXTERNAL_ID,
    Field.TWO_STEP,
    Field.MEMBER_ID,
    Field.USER_ID,
)


def title(field: Field, *, table: bool = False) -> str:
    """A column's title; the Waiting column reads "Waiting since" outside the table."""
    if field is Field.WAITING and not table:
        return WAITING_SINCE
    return TITLES[field]


def status_label(status: Status | str) -> str:
    return STATUS_LABELS[Status(status)]


def role_label(role: int | None) -> str:
    """ "User", "Admin", …; blank when the role is not known (the SCIM-only view)."""
    if role is None:
        return ""
    return ROLE_LABELS.get(role, UNKNOWN_ROLE)


def on_off(value: bool | None) -> str:
    """ "On" or "Off"; blank when not known."""
    if value is None:
        return ""
    return ON if value else OFF


def invitation_label(state: str) -> str:
    return INVITATION_LABELS[state]
