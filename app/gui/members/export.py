"""Export the members the table shows to CSV (Qt-free; run on a worker thread).

Every cell is quoted and any formula start, at a cell's start or after a separator-like
character, gets an apostrophe (`app.core.spreadsheet`): member names and external ids come from
outside and must not become formulas.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from app.core import spreadsheet
from app.core.spreadsheet import safe_cell
from app.gui.members.rows import ROLE_NAMES, MemberRow, RowStatus

HEADER = (
    "name",
    "email",
    "status",
    "role",
    "external_id",
    "two_step_login",
    "first_seen_waiting",
    "member_id",
)

_STATUS_WORDS = {
    RowStatus.ACCEPTED: "accepted",
    RowStatus.INVITED: "invited",
    RowStatus.STAGED: "staged",
    RowStatus.CONFIRMED: "confirmed",
    RowStatus.REVOKED: "revoked",
    RowStatus.PROVISIONED: "provisioned",
}


def csv_record(row: MemberRow) -> list[str]:
    two_step = {True: "on", False: "off", None: ""}[row.two_step]
    seen = row.first_seen_waiting.isoformat() if row.first_seen_waiting is not None else ""
    role = ROLE_NAMES.get(row.role, str(row.role)) if row.role is not None else ""
    return [
        safe_cell(row.name),
        safe_cell(row.email),
        _STATUS_WORDS[row.status],
        role,
        safe_cell(row.external_id),
        two_step,
        seen,
        row.id,
    ]


def write_csv(
    path: Path, rows: Sequence[MemberRow], cancelled: Callable[[], bool] = lambda: False
) -> int:
    """Write atomically (a temporary file renamed into place); returns the number of members."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=".members-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as stream:
            writer = spreadsheet.writer(stream)
            writer.writerow(HEADER)
            for count, row in enumerate(rows):
                if count % 10_000 == 0 and cancelled():
                    raise InterruptedError("Export cancelled.")
                writer.writerow(csv_record(row))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(rows)
