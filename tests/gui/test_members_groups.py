"""Groups in the members window, against a live sandbox over HTTP.

Okta pushes two groups through the sandbox's SCIM endpoint (POST /Groups, then PATCH members); the
window lists them with their sizes, filters to a group's members (agreeing with the server's own
state), shows each member's groups in a column and in the details; a SCIM-only profile says why
it cannot show members.
"""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.gui.demo import Demo
from app.gui.members.rows import Column, RowStatus
from app.gui.members.window import MembersWindow
from tests.gui.test_members_window import PROFILE, WAIT_MS, save_profile
from tests.unit.test_cli_groups import push_group

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def open_with_groups(qtbot: QtBot, demo: Demo) -> MembersWindow:
    window = MembersWindow(demo.ctx, PROFILE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.groups_members_loaded, timeout=WAIT_MS):
        window.show()
    return window


def test_pushed_groups_appear_with_their_members(qtbot: QtBot, demo: Demo) -> None:
    assert demo.sandbox is not None
    save_profile(demo.ctx)
    members = [m for m in demo.sandbox.state.members.values() if m.email]
    platform = push_group(demo.sandbox, "Platform Team", "00gPLAT", [m.id for m in members[:3]])
    sales = push_group(demo.sandbox, "Sales <b>", "00gSALE", [members[0].id, members[4].id])
    window = open_with_groups(qtbot, demo)

    state = httpx.get(demo.sandbox.info["control_url"] + "/state", timeout=10).json()
    expected = {g["id"]: set(g["memberIds"]) for g in state["groups"]}
    labels = [window.group_box.itemText(i) for i in range(window.group_box.count())]
    assert labels[0] == f"All groups ({len(expected)})"
    assert "Platform Team (3)" in labels
    assert "Sales <b> (2)" in labels  # plain text: a combo box shows no markup
    for group_id, member_ids in expected.items():
        window.show_group(group_id)
        assert {r.id for r in window.filter.visible_rows()} == member_ids
    # A group and a status together.
    window.show_group(platform)
    window.show_status(RowStatus.INVITED)
    assert all(r.status is RowStatus.INVITED for r in window.filter.visible_rows())
    window.show_status(None)
    window.show_group(None)
    assert len(window.filter.visible_rows()) == window.model.rowCount()

    # Each member's groups: the column and the details panel.
    first = members[0]
    position = window.model.position_of(first.id)
    assert position is not None
    cell = window.model.cell(position, int(Column.GROUPS), 0)
    assert isinstance(cell, str)
    assert "Platform Team" in cell
    assert "Sales <b>" in cell
    window.show_group(sales)
    row = window.filter.proxy_row_of(first.id)
    assert row is not None
    with qtbot.waitSignal(window.details_shown, timeout=WAIT_MS):
        window.table.setCurrentIndex(window.filter.index(row, 0))
    assert "Platform Team" in window.details.advice.text()
    assert not window.groups_note.isVisible()

    # Chosen before every member list is in, a group's members are read on demand.
    window._group_members.clear()
    window.show_group(None)
    with qtbot.waitSignal(window.group_shown, timeout=WAIT_MS) as shown:
        window.show_group(platform)
    assert shown.args == [platform]
    assert {r.id for r in window.filter.visible_rows()} == expected[platform]


def test_a_scim_only_profile_names_the_groups_and_says_why_members_are_unknown(
    qtbot: QtBot, demo: Demo
) -> None:
    assert demo.sandbox is not None
    save_profile(demo.ctx, public_api=False)
    members = list(demo.sandbox.state.members.values())
    push_group(demo.sandbox, "Platform Team", "00gPLAT", [m.id for m in members[:3]])
    window = open_with_groups(qtbot, demo)
    labels = [window.group_box.itemText(i) for i in range(window.group_box.count())]
    assert "Platform Team" in labels  # no count: SCIM does not say
    assert window.groups_note.isVisible()
    assert "does not return group members" in window.groups_note.text()
    assert window.table.isColumnHidden(int(Column.GROUPS))
    window.show_group(window.group_box.itemData(labels.index("Platform Team")))
    assert len(window.filter.visible_rows()) == window.model.rowCount()  # nothing hidden


def _by_groups_as_the_server_holds_them(demo: Demo) -> list[str]:
    """Member ids by their group count, then group names, then e-mail: most first."""
    assert demo.sandbox is not None
    state = httpx.get(demo.sandbox.info["control_url"] + "/state", timeout=10).json()
    names: dict[str, list[str]] = {}
    for group in state["groups"]:
        for member_id in group["memberIds"]:
            names.setdefault(member_id, []).append(group["name"].casefold())
    members = state["members"]
    return [
        m["id"]
        for m in sorted(
            members,
            key=lambda m: (
                len(names.get(m["id"], [])),
                sorted(names.get(m["id"], [])),
                m["email"].casefold(),
            ),
            reverse=True,
        )
    ]


def test_sorted_by_groups_the_table_follows_the_groups_as_they_are_read(
    qtbot: QtBot, demo: Demo
) -> None:
    """Issue 17 leftover: the Groups column sorts by how many groups, then which, not by name."""
    assert demo.sandbox is not None
    save_profile(demo.ctx)
    members = [m for m in demo.sandbox.state.members.values() if m.email]
    push_group(demo.sandbox, "Platform Team", "00gPLAT", [m.id for m in members[:3]])
    window = open_with_groups(qtbot, demo)
    window.table.sortByColumn(int(Column.GROUPS), Qt.SortOrder.DescendingOrder)
    shown = [r.id for r in window.filter.visible_rows()]
    assert shown == _by_groups_as_the_server_holds_them(demo)
    # Okta pushes another group; the next read of the groups re-sorts the table.
    loner = next(m for m in members if not window.model.member_groups.get(m.id))
    push_group(demo.sandbox, "Zeta", "00gZETA", [loner.id, members[0].id])
    with qtbot.waitSignal(window.groups_members_loaded, timeout=WAIT_MS):
        window.refresh_groups()
    shown = [r.id for r in window.filter.visible_rows()]
    assert shown == _by_groups_as_the_server_holds_them(demo)
    assert window.model.member_groups.get(loner.id) == ("Zeta",)
