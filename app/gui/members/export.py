"""Export the members the table shows to CSV (Qt-free; run on a worker thread).

The columns, the words in the cells and the formula-safe quoting are `app.core.members_csv`'s,
which `scim-assistant members --csv` writes too: the same members give the same file. Invitation
ages count to `now`, the time of the refresh the rows came from. When the window has read Okta,
`okta_cell` gives each row's Okta cell as the table shows it, written as the last column.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from app.core import members_csv
from app.core.invitations import DEFAULT_EXPIRY_HOURS, invitation
from app.core.members_csv import MemberRecord
from app.core.vocabulary import Status
from app.gui.members.rows import MemberRow

HEADER = members_csv.HEADER


OktaCell = Callable[[MemberRow], str]


def record(
    row: MemberRow,
    now: datetime,
    expiry_hours: int = DEFAULT_EXPIRY_HOURS,
    okta_cell: OktaCell | None = None,
) -> MemberRecord:
    """The CSV's view of one table row."""
    status = Status(row.status.name.lower())
    item = None
    if status is Status.INVITED and row.first_seen_waiting is not None:
        item = invitation(row.first_seen_waiting, row.last_reinvite, now, expiry_hours)
    return MemberRecord(
        member_id=row.id,
        email=row.email,
        name=row.name,
        status=status,
        role=row.role,
        external_id=row.external_id,
        two_step=row.two_step,
        user_id=row.user_id,
        waiting_since=row.first_seen_waiting,
        invitation=item,
        okta=okta_cell(row) if okta_cell is not None else None,
    )


def csv_record(
    row: MemberRow, now: datetime | None = None, expiry_hours: int = DEFAULT_EXPIRY_HOURS
) -> list[str]:
    """One row's cells as the export writes them."""
    return members_csv.cells(record(row, now or datetime.now().astimezone(), expiry_hours))


def write_csv(
    path: Path,
    rows: Sequence[MemberRow],
    cancelled: Callable[[], bool] = lambda: False,
    *,
    now: datetime | None = None,
    expiry_hours: int = DEFAULT_EXPIRY_HOURS,
    okta_cell: OktaCell | None = None,
) -> int:
    """Write atomically (a temporary file renamed into place); returns the number of members.
    With `okta_cell` (Okta was read) the Okta column is written last."""
    path = Path(path)
    at = now or datetime.now().astimezone()
    handle, temporary = tempfile.mkstemp(prefix=".members-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
            count = members_csv.write(
                stream,
                (record(row, at, expiry_hours, okta_cell) for row in rows),
                cancelled,
                with_okta=okta_cell is not None,
            )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count
