"""The members CSV: one definition for the window's export and `scim-assistant members --csv`.

Both build a `MemberRecord` per member and write it here, so the same members give the same bytes:
the same header (the vocabulary's column titles), the same words in the cells ("Needs
confirmation", "User", "On"), times in ISO 8601 UTC to the second, and the spreadsheet-safe cells
of `app.core.spreadsheet`. Rows are written in the order given; both sides give them by status
(`vocabulary.STATUS_ORDER`), then e-mail, unless the window's view is sorted otherwise. When the
window has read Okta, its export adds the Okta column last (`with_okta`: each record's `okta`, the
window's words), so the other columns keep their places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import NamedTuple, TextIO

from app.core import spreadsheet, vocabulary
from app.core.invitations import Invitation
from app.core.spreadsheet import safe_cell
from app.core.vocabulary import CSV_FIELDS, Field, Status

#: The header row.
HEADER: tuple[str, ...] = tuple(vocabulary.title(f) for f in CSV_FIELDS)


class MemberRecord(NamedTuple):
    """One member as the CSV needs it; `waiting_since` only for `vocabulary.WAITING_STATUSES`."""

    member_id: str
    email: str
    name: str
    status: Status
    role: int | None
    external_id: str
    two_step: bool | None
    user_id: str | None
    waiting_since: datetime | None
    invitation: Invitation | None
    #: The member's state in Okta as the window's Okta column says it (None: Okta not read).
    okta: str | None = None


def stamp(at: datetime | None) -> str:
    """A time for a spreadsheet: ISO 8601 in UTC, to the second; blank when unknown."""
    return "" if at is None else at.astimezone(UTC).isoformat(timespec="seconds")


def cells(record: MemberRecord) -> list[str]:
    """The CSV row of `record`, in `CSV_FIELDS` order."""
    waiting = record.waiting_since if record.status in vocabulary.WAITING_STATUSES else None
    item = record.invitation if record.status is Status.INVITED else None
    values = {
        Field.NAME: safe_cell(record.name),
        Field.EMAIL: safe_cell(record.email),
        Field.STATUS: vocabulary.status_label(record.status),
        Field.ROLE: vocabulary.role_label(record.role),
        Field.EXTERNAL_ID: safe_cell(record.external_id),
        Field.TWO_STEP: vocabulary.on_off(record.two_step),
        Field.WAITING: stamp(waiting),
        Field.INVITATION: vocabulary.invitation_label(item.state.value) if item else "",
        Field.INVITATION_EXPIRES: stamp(item.expires_at) if item else "",
        Field.MEMBER_ID: safe_cell(record.member_id),
        Field.USER_ID: safe_cell(record.user_id or ""),
    }
    return [values[f] for f in CSV_FIELDS]


def write(
    stream: TextIO,
    records: Iterable[MemberRecord],
    cancelled: Callable[[], bool] = lambda: False,
    *,
    with_okta: bool = False,
) -> int:
    """Write the header and one row per record (CRLF line ends, every cell quoted); returns the
    number of members. `cancelled` is asked every 10,000 rows (`InterruptedError`). `with_okta`
    adds the Okta column last (Okta's texts are outside text: made spreadsheet-safe)."""
    writer = spreadsheet.writer(stream)
    writer.writerow((*HEADER, vocabulary.OKTA_TITLE) if with_okta else HEADER)
    count = 0
    for count, record in enumerate(records, start=1):
        if count % 10_000 == 0 and cancelled():
            raise InterruptedError("Export cancelled.")
        row = cells(record)
        if with_okta:
            row.append(safe_cell(record.okta or ""))
        writer.writerow(row)
    return count
