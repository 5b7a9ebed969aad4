"""Invitation expiry in the members window, against a live sandbox over HTTP.

The history is written as an earlier program run would have (time injected, never slept): members
first seen days ago, a reinvite yesterday. The window then says "probably expired" or "expires in
about 4 days", filters the expired invitations, and reinvites them with a per-member outcome.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.reinvite import ReinviteResult
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.members.model import INVITATION_NOTE
from app.gui.members.rows import Column, MemberRow, RowStatus
from app.gui.members.status_help import EXPIRED
from app.gui.members.window import MembersWindow
from tests.gui.test_members_window import (
    PROFILE,
    WAIT_MS,
    accept,
    refresh,
    save_profile,
    shown_and_recorded,
)
from tests.unit.core.test_reinvite import _exhaust_post_window

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def seen_earlier(ctx: AppContext, ago: timedelta) -> list[MemberRow]:
    """An earlier run saw the organization `ago` before now: the history says so."""
    with ctx.public_api(PROFILE) as client:
        members = client.list_member_summaries()
    ctx.history.record(PROFILE, members, now=datetime.now(UTC) - ago)
    return [
        MemberRow(id=m.id, email=m.email, status=RowStatus(int(m.status)))
        for m in members
        if int(m.status) == int(RowStatus.INVITED)
    ]


def open_window(qtbot: QtBot, ctx: AppContext) -> MembersWindow:
    window = MembersWindow(ctx, PROFILE)
    qtbot.addWidget(window)
    shown_and_recorded(qtbot, window, window.show)
    return window


def invitation_text(window: MembersWindow, member_id: str) -> str:
    position = window.model.position_of(member_id)
    assert position is not None
    text = window.model.cell(position, int(Column.INVITATION), 0)
    assert isinstance(text, str)
    return text


def tooltip(window: MembersWindow, member_id: str) -> str:
    position = window.model.position_of(member_id)
    assert position is not None
    text = window.model.cell(position, int(Column.INVITATION), 3)
    assert isinstance(text, str)
    return text


def test_first_seen_six_days_ago_is_probably_expired_and_a_reinvite_yesterday_is_not(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    save_profile(demo_context)
    invited = seen_earlier(demo_context, timedelta(days=6))
    assert len(invited) >= 3
    old, reinvited = invited[0], invited[1]
    yesterday = datetime.now(UTC) - timedelta(days=1)
    demo_context.history.record_reinvite(PROFILE, reinvited.id, reinvited.email, now=yesterday)

    window = open_window(qtbot, demo_context)
    assert invitation_text(window, old.id) == "probably expired"
    assert invitation_text(window, reinvited.id) == "expires in about 4 days"
    assert tooltip(window, old.id).startswith("invited 6 days ago (first seen)")
    assert tooltip(window, reinvited.id).startswith("reinvited 24 hours ago")
    assert INVITATION_NOTE in tooltip(window, old.id)  # says there are no invitation dates

    expired = {r.id for r in invited} - {reinvited.id}
    assert window.expired_button.text() == f"Expired invitations ({len(expired)})"
    assert window.reinvite_expired_button.isEnabled()
    assert f"({len(expired)})" in window.reinvite_expired_button.text()
    window.show_expired()
    assert {r.id for r in window.filter.visible_rows()} == expired
    assert "reinvite" in window.status_help.text().lower()
    # The search box narrows the expired ones too; "All" shows everyone again.
    window.search_box.setText(old.email)
    assert [r.id for r in window.filter.visible_rows()] == [old.id]
    window.search_box.clear()
    window.show_status(None)
    assert len(window.filter.visible_rows()) == window.model.rowCount()


def test_a_self_hosted_expiry_of_48_hours_is_honoured(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    save_profile(demo_context)
    invited = seen_earlier(demo_context, timedelta(days=3))
    window = open_window(qtbot, demo_context)
    assert invitation_text(window, invited[0].id) == "expires in about 2 days"  # 120 h default
    assert window.expired_button.text() == "Expired invitations (0)"
    assert not window.reinvite_expired_button.isEnabled()
    window.close()

    profile = demo_context.profiles.get(PROFILE)
    assert profile is not None
    demo_context.profiles.save(profile.model_copy(update={"invite_expiry_hours": 48}))
    again = open_window(qtbot, demo_context)
    assert invitation_text(again, invited[0].id) == "probably expired"
    assert again.expired_button.text() == f"Expired invitations ({len(invited)})"


@pytest.fixture
def limited_demo(tmp_path: Path) -> Iterator[Demo]:
    """The demo wiring around a sandbox with the cloud's rate limits on."""
    from app.gui.demo import create_demo_context
    from app.sandbox.server import Sandbox

    ctx = create_demo_context(tmp_path / "demo")
    sandbox = Sandbox.start(host="127.0.0.1", port=0, members=30, seed=7, rate_limits=True)
    running = Demo.running(ctx, sandbox)
    try:
        yield running
    finally:
        running.stop()
        ctx.close()


def test_reinvite_expired_waits_out_a_429_skips_who_accepted_and_records_each(
    qtbot: QtBot, limited_demo: Demo
) -> None:
    ctx = limited_demo.ctx
    assert limited_demo.sandbox is not None
    save_profile(ctx)
    seen_earlier(ctx, timedelta(days=6))
    window = open_window(qtbot, ctx)
    expired = list(window._expired)
    assert len(expired) >= 3
    accepted_meanwhile, limited = expired[0], expired[1]
    accept(ctx, accepted_meanwhile)  # after the refresh: the window still shows them invited
    _exhaust_post_window(limited_demo.sandbox, limited)

    with qtbot.waitSignal(window.reinvite_finished, timeout=WAIT_MS * 2) as finished:
        # `limited` first: its per-second window is full as the reinvites start.
        window.start_reinvite([limited, *(i for i in expired if i != limited)], interval=0.05)
    outcomes = {o.member_id: o for o in finished.args[0]}
    assert set(outcomes) == set(expired)
    assert outcomes[accepted_meanwhile].result is ReinviteResult.SKIPPED
    assert "accepted" in (outcomes[accepted_meanwhile].reason or "")
    assert all(outcomes[i].result is ReinviteResult.REINVITED for i in expired[1:])
    dialog = window.outcome_dialog
    assert dialog is not None
    assert f"{len(expired) - 1} invitations sent again" in dialog.summary.text()
    # The reinvite times are in the history: the invitations are valid again.
    recorded = ctx.history.last_reinvites(PROFILE)
    assert set(recorded) == set(expired[1:])
    refresh(qtbot, window)
    assert window._expired == []
    assert invitation_text(window, limited).startswith("expires in about 5 days")
    dialog.close()


def test_an_invitation_that_expires_while_the_window_is_open_is_announced_once(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    save_profile(demo_context)
    window = open_window(qtbot, demo_context)
    assert window._expired == []
    # Four days and 23 hours later for one member (a second run's history, rewritten).
    member = next(r for r in window.model.rows if r.status is RowStatus.INVITED)
    _age_in_history(demo_context, member.id, timedelta(days=6))
    window._first_seen.clear()  # the window re-reads the history on its next refresh
    with qtbot.waitSignal(window.notified, timeout=WAIT_MS) as notified:
        refresh(qtbot, window)
    assert notified.args[0] == "Invitations expired"
    assert member.email in notified.args[1] or member.name in notified.args[1]
    window.notice_banner.action.click()
    assert window._view == EXPIRED
    assert [r.id for r in window.filter.visible_rows()] == [member.id]
    with qtbot.assertNotEmitted(window.notified):
        refresh(qtbot, window)


def test_invitations_already_expired_when_the_window_opens_are_announced_once(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    """Issue 17: an earlier run saw them 6 days ago; opening the window says so, once."""
    save_profile(demo_context)
    invited = seen_earlier(demo_context, timedelta(days=6))
    window = MembersWindow(demo_context, PROFILE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.notified, timeout=WAIT_MS) as notified:
        window.show()
    assert notified.args[0] == "Invitations expired"
    assert f"{len(invited)} invitations have probably expired" in notified.args[1]
    assert window.notice_banner.isVisible()
    assert window.notice_banner.text() == notified.args[1]
    window.notice_banner.action.click()
    assert window._view == EXPIRED
    assert {r.id for r in window.filter.visible_rows()} == {r.id for r in invited}
    with qtbot.assertNotEmitted(window.notified):
        refresh(qtbot, window)


def test_a_member_revoked_by_okta_is_announced_with_how_to_restore(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    save_profile(demo_context)
    window = open_window(qtbot, demo_context)
    member = next(r for r in window.model.rows if r.status is RowStatus.CONFIRMED and r.role == 2)
    info = demo_context.sandbox_info
    assert info is not None
    # Okta deactivates the person: SCIM PATCH active false, as Okta sends it.
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }
    answer = httpx.patch(
        f"{info['scim_url']}/Users/{member.id}",
        json=patch,
        headers={"Authorization": f"Bearer {info['scim_key']}"},
        timeout=10,
    )
    assert answer.status_code == 204, answer.text
    with qtbot.waitSignal(window.notified, timeout=WAIT_MS) as notified:
        refresh(qtbot, window)
    assert notified.args[0] == "Members revoked"
    assert "Okta" in notified.args[1]
    window.notice_banner.action.click()
    assert window._view is RowStatus.REVOKED
    assert member.id in {r.id for r in window.filter.visible_rows()}
    assert "assign them to the Bitwarden app in Okta again" in window.status_help.text()
    position = window.model.position_of(member.id)
    assert position is not None
    assert window.model.cell(position, int(Column.WAITING), 0) == "under a minute"


def _age_in_history(ctx: AppContext, member_id: str, ago: timedelta) -> None:
    """Move one member's sightings back in time, as if first seen `ago` (test-only SQL)."""
    import sqlite3

    when = (datetime.now(UTC) - ago).isoformat()
    with sqlite3.connect(ctx.history.path) as db:
        db.execute(
            "UPDATE changes SET at = ? WHERE profile = ? AND member_id = ?",
            (when, PROFILE, member_id),
        )


def test_the_details_panel_tells_why_someone_is_still_invited(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    save_profile(demo_context)
    invited = seen_earlier(demo_context, timedelta(days=6))
    window = open_window(qtbot, demo_context)
    assert window.details.title.text() == "No member selected"
    window.search_box.setText(invited[0].email)
    with qtbot.waitSignal(window.details_shown, timeout=WAIT_MS) as shown:
        window.table.setCurrentIndex(window.filter.index(0, 0))
    assert shown.args == [invited[0].id]
    assert invited[0].email in window.details.title.text()
    assert "probably expired" in window.details.status.text()
    assert "first seen invited" in window.details.timeline.text()
    advice = window.details.advice.text()
    assert "spam" in advice
    assert "Reinvite them" in advice
    assert window.details.advice.textFormat() == Qt.TextFormat.PlainText
    window.search_box.setText("nobody-matches-this")
    assert window.details.title.text() == "No member selected"


def test_the_details_panel_shows_only_a_member_someone_selected(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    """When the selected member leaves the view (confirmed out of "Needs confirmation"), Qt
    leaves the current index on the next row with nothing selected: no details for that one."""
    from PySide6.QtCore import QItemSelectionModel

    save_profile(demo_context)
    window = open_window(qtbot, demo_context)
    with qtbot.waitSignal(window.details_shown, timeout=WAIT_MS) as first:
        window.table.setCurrentIndex(window.filter.index(0, 0))
    assert window.details.member_id == first.args[0]
    selection = window.table.selectionModel()
    selection.clearSelection()  # what the refresh leaves: a current row nobody chose
    selection.setCurrentIndex(window.filter.index(1, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    assert window.details.title.text() == "No member selected"
    assert not window.confirm_button.isEnabled()
    with qtbot.waitSignal(window.details_shown, timeout=WAIT_MS) as shown:
        selection.select(
            window.filter.index(1, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    current = window.current_row()
    assert current is not None
    assert shown.args == [current.id]


def test_the_demo_shows_expired_invitations_from_the_sandbox_dates(
    qtbot: QtBot, demo: Demo
) -> None:
    from app.gui.demo import seed_demo_history

    assert demo.sandbox is not None
    save_profile(demo.ctx, provision=False)
    assert seed_demo_history(demo.ctx, demo.sandbox) > 0
    cutoff = datetime.now(UTC) - timedelta(hours=120)
    expected = {
        m.id
        for m in demo.sandbox.state.members.values()
        if int(m.status) == int(RowStatus.INVITED) and m.invited_at <= cutoff
    }
    assert expected  # the seeded demo has old invitations
    window = open_window(qtbot, demo.ctx)
    assert set(window._expired) == expected
    assert window.expired_button.text() == f"Expired invitations ({len(expected)})"


def test_the_expired_banner_goes_once_every_expired_invitation_is_sent_again(
    qtbot: QtBot, demo_context: AppContext
) -> None:
    """Seen in the demo: after "4 invitations sent again" the banner still said "4 invitations
    have probably expired", beside "Expired invitations (0)" and a grey Reinvite expired."""
    save_profile(demo_context)
    seen_earlier(demo_context, timedelta(days=6))
    window = open_window(qtbot, demo_context)
    expired = list(window._expired)
    assert expired
    assert window.notice_banner.isVisible()
    with qtbot.waitSignal(window.reinvite_finished, timeout=WAIT_MS * 2):
        window.start_reinvite(expired, interval=0.01)
    refresh(qtbot, window)
    assert window._expired == []
    assert not window.notice_banner.isVisible()
    assert window.outcome_dialog is not None
    window.outcome_dialog.close()
