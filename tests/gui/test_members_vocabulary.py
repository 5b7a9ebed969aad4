"""One vocabulary (issue 16, item 10): the window's CSV export and `members --csv`, byte for byte.

The window and the command line read the same sandbox through the same saved profile and the same
local history (the default stores, in the test's throwaway home), so the same members must give
the same bytes: the header, the words ("Needs confirmation", "User", "On"), the first-seen times
and the invitation fields. The table's own cells use the same words.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.cli import main
from app.core import vocabulary
from app.core.history import History
from app.core.profiles import ProfileStore
from app.core.secrets import SecretStore
from app.gui.context import AppContext, Stores
from app.gui.demo import Demo
from app.gui.members.rows import Column, RowStatus
from app.gui.members.window import MembersWindow
from tests.gui.test_members_window import PROFILE, WAIT_MS, accept, save_profile

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def desktop_context(demo: Demo) -> Iterator[AppContext]:
    """A real admin's context in the default places, where `scim-assistant members` looks too."""
    secrets, history = SecretStore(), History()
    ctx = AppContext(Stores(secrets, ProfileStore(secrets=secrets, history=history), history))
    try:
        yield ctx
    finally:
        ctx.close()


def test_the_windows_export_and_members_csv_are_the_same_bytes(
    qtbot: QtBot,
    demo: Demo,
    desktop_context: AppContext,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    save_profile(desktop_context, info=info)
    window = MembersWindow(desktop_context, PROFILE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        window.show()
    invited = [r for r in window.model.rows if r.status is RowStatus.INVITED]
    assert len(invited) >= 2
    accept(demo.ctx, invited[0].id)  # someone accepts: a first sighting in "Needs confirmation"
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        window.refresh_now()
    # The order `members --csv` gives: by status (who needs the admin first), then e-mail.
    window.table.sortByColumn(int(Column.STATUS), Qt.SortOrder.AscendingOrder)
    exported = tmp_path / "window.csv"
    with qtbot.waitSignal(window.exported, timeout=WAIT_MS):
        window.export_csv(exported)
    capsys.readouterr()

    assert main(["members", "--profile", PROFILE, "--csv"]) == 0
    printed = capsys.readouterr().out

    window_bytes = exported.read_bytes()
    assert printed.encode("utf-8") == window_bytes
    records = list(csv.DictReader(io.StringIO(window_bytes.decode("utf-8"), newline="")))
    statuses = {r["Status"] for r in records}
    assert {"Needs confirmation", "Invited", "Confirmed"} <= statuses
    assert not statuses & {"accepted", "invited", "confirmed"}  # not the --json values
    assert {r["Role"] for r in records} <= set(vocabulary.ROLE_LABELS.values())
    assert all(
        r["Invitation"] and r["Invitation expires (about)"]
        for r in records
        if r["Status"] == "Invited"
    )
    assert next(r for r in records if r["Member id"] == invited[0].id)["Waiting since (first seen)"]

    # The table says the same words as the file, row for row.
    by_id = {r["Member id"]: r for r in records}
    for position, row in enumerate(window.model.rows):
        record = by_id[row.id]
        assert window.model.cell(position, int(Column.STATUS), 0) == record["Status"]
        assert window.model.cell(position, int(Column.ROLE), 0) == record["Role"]
        assert window.model.cell(position, int(Column.TWO_STEP), 0) == record["Two-step login"]
    # The table's column titles are the file's (its Waiting column says how long, not since when).
    header = list(records[0])
    shared = (Column.NAME, Column.EMAIL, Column.STATUS, Column.ROLE, Column.SCIM, Column.TWO_STEP)
    for column in (*shared, Column.INVITATION):
        assert window.model.headerData(int(column), Qt.Orientation.Horizontal) in header
