"""The members window's Okta side against the sandbox Okta org: with an Okta token the table gains
an Okta column (each member's state in Okta, with the System Log's reason) and three filters; the
people Okta has who are not members get a table of their own, never mixed into the members'
counts, actions or export. Okta is read at most once a minute however often the members refresh;
a failed read keeps the last values, marked stale. What each filter should select is worked out
here from Okta's own answer (its Management API, over HTTP), not from the program's index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.gui.context import AppContext
from app.gui.members.okta_index import OktaMatches
from app.gui.members.okta_side import OktaSidePanel
from app.gui.members.rows import Column, MemberRow, RowStatus
from app.gui.members.status_help import OKTA_NOT_ASSIGNED, OKTA_ONLY, OKTA_USERNAME
from app.gui.members.window import MembersWindow
from tests.gui.test_members_window import (
    PROFILE,
    WAIT_MS,
    open_window,
    pytestmark,
    refresh,
    save_profile,
)

__all__ = ["open_window", "pytestmark"]  # the fixture and the Qt log marks, shared


def _with_okta(ctx: AppContext, token: str | None = None) -> None:
    info = ctx.sandbox_info
    assert info is not None
    saved = ctx.secrets.load(PROFILE)
    assert saved is not None
    profile = ctx.profiles.get(PROFILE)
    assert profile is not None
    ctx.profiles.save(
        profile,
        saved.model_copy(
            update={
                "okta_url": info["okta_url"],
                "okta_token": SecretStr(token or info["okta_token"]),
            }
        ),
    )


def _fault(ctx: AppContext, name: str) -> dict[str, Any]:
    assert ctx.sandbox_info is not None
    answer = httpx.post(
        ctx.sandbox_info["control_url"] + "/okta/faults", json={"fault": name}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def _app_users(ctx: AppContext) -> list[dict[str, Any]]:
    """Okta's app users, from Okta's Management API (the oracle for what each filter shows)."""
    info = ctx.sandbox_info
    assert info is not None
    answer = httpx.get(
        f"{info['okta_url']}/api/v1/apps/{info['okta_app_id']}/users",
        params={"limit": "500"},
        headers={"Authorization": f"SSWS {info['okta_token']}", "Accept": "application/json"},
        timeout=30,
    )
    answer.raise_for_status()
    users: list[dict[str, Any]] = answer.json()
    return users


def _settle(qtbot: QtBot, panel: OktaSidePanel) -> None:
    qtbot.waitUntil(lambda: panel._task is not None and not panel.busy, timeout=WAIT_MS)


def _okta_cell(
    window: MembersWindow, row: MemberRow, role: int = Qt.ItemDataRole.DisplayRole
) -> Any:
    position = window.model.position_of(row.id)
    assert position is not None
    return window.model.index(position, int(Column.OKTA)).data(role)


def _by_email(window: MembersWindow, email: str) -> MemberRow:
    return next(r for r in window.model.rows if r.email.lower() == email.lower())


def _visible_ids(window: MembersWindow) -> set[str]:
    return {row.id for row in window.filter.visible_rows()}


def test_without_an_okta_token_the_window_is_as_before(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    _settle(qtbot, window.okta_side)
    assert window.okta_side.matches is None
    assert window.model.okta is None
    assert not window.okta_side.isVisibleTo(window)
    assert window.table.isColumnHidden(int(Column.OKTA))
    assert not any(b.isVisibleTo(window) for b in window.okta_buttons.values())
    window.show_okta(OKTA_ONLY)  # nothing to show: everyone, as before
    assert window._view is None
    assert window.tables.currentWidget() is window.table


def test_each_seeded_fault_shows_in_the_okta_column(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    login = _fault(demo_context, "username_is_login")
    revoked = _fault(demo_context, "revoked_member_conflict")
    deactivate = _fault(demo_context, "deactivate_users_off")
    _fault(demo_context, "group_assigned_and_pushed")
    window = open_window(demo_context)
    panel = window.okta_side
    _settle(qtbot, panel)
    assert panel.isVisibleTo(window)
    assert not window.table.isColumnHidden(int(Column.OKTA))
    assert window.model.headerData(int(Column.OKTA), Qt.Orientation.Horizontal) == "Okta"
    users = _app_users(demo_context)

    # The login-name username: a Bitwarden member already, whom Okta's push now conflicts with.
    member = _by_email(window, login["email"])
    assert _okta_cell(window, member).startswith("Okta failed: Conflict")
    tip = _okta_cell(window, member, Qt.ItemDataRole.ToolTipRole)
    assert "System Log" in tip
    # The revoked member holding the person Okta re-pushed under a new e-mail.
    holder = _by_email(window, revoked["old_email"])
    assert holder.status is RowStatus.REVOKED
    assert _okta_cell(window, holder).startswith("Okta failed: Conflict")
    assert revoked["email"] in _okta_cell(window, holder, Qt.ItemDataRole.ToolTipRole)
    # Deactivate Users off: unassigned in Okta, still active in Bitwarden.
    kept = _by_email(window, deactivate["email"])
    assert kept.status is not RowStatus.REVOKED
    assert _okta_cell(window, kept) == "Not assigned in Okta"
    assert "Deactivate Users" in _okta_cell(window, kept, Qt.ItemDataRole.ToolTipRole)
    # The group's people, assigned and provisioned.
    assigned = {u["profile"]["email"].lower() for u in users}
    provisioned = [r for r in window.model.rows if r.email.lower() in assigned]
    words = {_okta_cell(window, r) for r in provisioned}
    assert "Assigned" in words
    revoked_unassigned = [
        r
        for r in window.model.rows
        if r.status is RowStatus.REVOKED and r.email.lower() not in assigned and r is not holder
    ]
    for row in revoked_unassigned:
        assert _okta_cell(window, row) == "Not assigned (revoked)"
    info = demo_context.sandbox_info
    assert info is not None
    cells = [_okta_cell(window, r) for r in window.model.rows]
    tips = [_okta_cell(window, r, Qt.ItemDataRole.ToolTipRole) for r in window.model.rows]
    assert not any(info["okta_token"] in str(t) for t in cells + tips + [panel.summary.text()])


def test_each_okta_filter_selects_exactly_the_right_rows(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    tmp_path: Path,
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    login = _fault(demo_context, "username_is_login")
    deactivate = _fault(demo_context, "deactivate_users_off")
    rotated = _fault(demo_context, "token_rotated")  # last: Okta's pushes fail from here on
    window = open_window(demo_context)
    _settle(qtbot, window.okta_side)
    users = _app_users(demo_context)
    emails = {u["profile"]["email"].lower() for u in users}
    rows = list(window.model.rows)
    member_emails = {r.email.lower() for r in rows}
    usernames = {u["profile"]["email"].lower(): u["credentials"]["userName"].lower() for u in users}

    window.okta_buttons[OKTA_NOT_ASSIGNED].click()
    expected = {
        r.id for r in rows if r.email.lower() not in emails and r.status is not RowStatus.REVOKED
    }
    assert _visible_ids(window) == expected
    assert _by_email(window, deactivate["email"]).id in expected
    assert window.okta_buttons[OKTA_NOT_ASSIGNED].text().endswith(f"({len(expected)})")

    window.okta_buttons[OKTA_USERNAME].click()
    expected = {
        r.id
        for r in rows
        if r.email.lower() in usernames and usernames[r.email.lower()] != r.email.lower()
    }
    assert _visible_ids(window) == expected == {_by_email(window, login["email"]).id}

    window.okta_buttons[OKTA_ONLY].click()
    assert window.tables.currentWidget() is window.okta_table
    outside = sorted(emails - member_emails)
    assert rotated["email"] in outside
    assert sorted(window.okta_only_emails(selected=False)) == outside
    # Never mixed into the members: the members table behind shows no one, nothing to act on.
    assert window.filter.visible_rows() == []
    window.table.selectAll()
    assert window.selected_rows() == []
    assert not window.confirm_button.isEnabled()
    assert not window.reinvite_button.isEnabled()
    assert not window.export_button.isEnabled()
    assert "not members" in window.count_label.text()
    assert f"of {len(rows)} members" in window.count_label.text()
    # Each person says why, as Okta's System Log does, plainly.
    reasons = {
        window.okta_view.index(r, 0).data(): window.okta_view.index(r, 2).data()
        for r in range(window.okta_view.rowCount())
    }
    assert "SCIM key was rotated" in reasons[rotated["email"]]
    assert {window.okta_view.index(r, 1).data() for r in range(window.okta_view.rowCount())} == {
        "Not in Bitwarden"
    }
    from PySide6.QtGui import QGuiApplication

    window.okta_table.selectAll()
    window._copy_okta_emails()
    assert sorted(QGuiApplication.clipboard().text().splitlines()) == outside
    window.search_box.setText(rotated["email"][:8])
    assert window.okta_only_emails(selected=False) == [rotated["email"]]
    window.search_box.clear()

    window.show_status(None)  # back to the members: the export writes members only
    assert window.tables.currentWidget() is window.table
    assert window.export_button.isEnabled()
    assert _visible_ids(window) == {r.id for r in rows}
    path = tmp_path / "members.csv"
    with qtbot.waitSignal(window.exported, timeout=WAIT_MS) as blocker:
        window.export_csv(path)
    assert blocker.args == [str(path), len(rows)]
    assert rotated["email"] not in path.read_text(encoding="utf-8")


def _exported(qtbot: QtBot, window: MembersWindow, path: Path) -> list[dict[str, str]]:
    import csv

    with qtbot.waitSignal(window.exported, timeout=WAIT_MS):
        window.export_csv(path)
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_export_has_the_okta_column_in_the_tables_words_once_okta_was_read(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    tmp_path: Path,
) -> None:
    from app.core import members_csv

    save_profile(demo_context)
    window = open_window(demo_context)
    _settle(qtbot, window.okta_side)
    without = _exported(qtbot, window, tmp_path / "before.csv")
    assert list(without[0]) == list(members_csv.HEADER)  # no Okta read: no Okta column
    window.close()

    _with_okta(demo_context)
    login = _fault(demo_context, "username_is_login")
    _fault(demo_context, "revoked_member_conflict")
    window = open_window(demo_context)
    _settle(qtbot, window.okta_side)
    assert window.model.okta is not None
    rows = _exported(qtbot, window, tmp_path / "members.csv")
    assert list(rows[0]) == [*members_csv.HEADER, "Okta"]  # last: the other columns keep places
    table = {r.email: _okta_cell(window, r) for r in window.filter.visible_rows()}
    assert {row["Email"]: row["Okta"] for row in rows} == table
    # The login-name username made Okta's create conflict: the window's words, with Okta's reason.
    assert rows_of(rows, login["email"])["Okta"].startswith("Okta failed: Conflict")
    words = {row["Okta"].split(":")[0] for row in rows}
    assert {"Not assigned in Okta", "Okta failed"} <= words
    assert all(row["Okta"] for row in rows)
    text = (tmp_path / "members.csv").read_text(encoding="utf-8")
    info = demo_context.sandbox_info
    assert info is not None
    assert info["okta_token"] not in text


def rows_of(rows: list[dict[str, str]], email: str) -> dict[str, str]:
    return next(row for row in rows if row["Email"].lower() == email.lower())


def test_sorting_on_the_okta_column_puts_what_needs_the_admin_first(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    _fault(demo_context, "username_is_login")
    _fault(demo_context, "group_assigned_and_pushed")
    window = open_window(demo_context)
    _settle(qtbot, window.okta_side)

    def ranks() -> list[int]:
        order = (
            "Okta failed",
            "App username",
            "Not assigned in Okta",
            "Assigned",
            "Not assigned (revoked)",
        )
        texts = [
            window.filter.index(r, int(Column.OKTA)).data() for r in range(window.filter.rowCount())
        ]
        return [next(i for i, word in enumerate(order) if t.startswith(word)) for t in texts]

    window.table.sortByColumn(int(Column.OKTA), Qt.SortOrder.AscendingOrder)
    ascending = ranks()
    assert ascending == sorted(ascending)
    assert ascending[0] == 0  # a failure first
    assert 3 in ascending  # assigned members too
    window.table.sortByColumn(int(Column.OKTA), Qt.SortOrder.DescendingOrder)
    assert ranks() == sorted(ascending, reverse=True)
    from app.sandbox.okta.scim_push import Person, provision_users

    info = demo_context.sandbox_info
    assert info is not None
    people = [Person("Zed", "Zimmer", "zed.zimmer@example.com")]  # not assigned in Okta
    assert provision_users(info["scim_url"], info["scim_key"], people)[0].outcome == "created"
    refresh(qtbot, window)  # a refresh keeps the order (sorted on the worker, with the reading)
    assert "zed.zimmer@example.com" in {r.email for r in window.filter.visible_rows()}
    _settle(qtbot, window.okta_side)
    assert ranks() == sorted(ranks(), reverse=True)


def test_a_failed_okta_read_keeps_the_last_values_marked_stale(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    deactivate = _fault(demo_context, "deactivate_users_off")
    window = open_window(demo_context)
    panel = window.okta_side
    _settle(qtbot, panel)
    kept = _by_email(window, deactivate["email"])
    assert _okta_cell(window, kept) == "Not assigned in Okta"
    _with_okta(demo_context, token="00" + "x" * 40)  # Okta now refuses the token
    panel.check_button.click()
    _settle(qtbot, panel)
    assert window.model.okta is not None
    assert window.model.okta.stale
    assert _okta_cell(window, kept) == "Not assigned in Okta (stale)"
    assert window.model.headerData(int(Column.OKTA), Qt.Orientation.Horizontal) == "Okta (stale)"
    summary = panel.summary.text()
    assert "Okta could not be read" in summary
    assert "stale" in summary
    assert "stale" in _okta_cell(window, kept, Qt.ItemDataRole.ToolTipRole)
    assert window.okta_buttons[OKTA_NOT_ASSIGNED].isVisibleTo(window)  # the filters stay
    _with_okta(demo_context)
    panel.check_button.click()
    _settle(qtbot, panel)
    assert window.model.okta is not None
    assert not window.model.okta.stale
    assert _okta_cell(window, kept) == "Not assigned in Okta"


def test_okta_is_read_at_most_once_a_minute_unless_asked(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    window = open_window(demo_context)
    panel = window.okta_side
    _settle(qtbot, panel)
    first = panel._last_read
    assert panel.matches is not None
    assert len(panel.matches.not_in_bitwarden) == 0
    fault = _fault(demo_context, "token_rotated")
    refresh(qtbot, window)  # the members refresh again: Okta was read moments ago
    _settle(qtbot, panel)
    assert panel._last_read == first
    panel.check_button.click()  # the admin asks: read now
    assert panel.reading
    _settle(qtbot, panel)
    matches: OktaMatches | None = panel.matches
    assert matches is not None
    reasons = {person.email: person.reason for person in matches.not_in_bitwarden}
    assert "SCIM key was rotated" in reasons[fault["email"]]
    assert "1 in Okta but not in Bitwarden" in panel.summary.text()
    assert window.okta_buttons[OKTA_ONLY].text() == "In Okta, not in Bitwarden (1)"


def test_another_organization_starts_without_okta(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    save_profile(demo_context, name="Other", provision=False)
    window = open_window(demo_context)
    _settle(qtbot, window.okta_side)
    window.show_okta(OKTA_NOT_ASSIGNED)
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        window.switch_profile("Other")
    assert window.model.okta is None
    assert window._view is None
    assert window.table.isColumnHidden(int(Column.OKTA))
    _settle(qtbot, window.okta_side)
    assert window.okta_side.matches is None


def test_the_okta_filters_do_not_widen_the_window(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    """The three Okta chips have a row of their own: beside the status chips they made the
    window's least width about 1,800 px, so it could not fit (or be centred on) a laptop screen."""
    save_profile(demo_context)
    _with_okta(demo_context)
    window = open_window(demo_context)
    before = window.minimumSizeHint().width()
    _settle(qtbot, window.okta_side)
    assert all(b.isVisibleTo(window) for b in window.okta_buttons.values())
    assert window.minimumSizeHint().width() <= max(before, 1000)
