"""The members window against a live sandbox over HTTP: statuses, live updates, confirm, reinvite.

No mocks of our own clients and no sleeps: every wait is on a signal or a condition.
"""

from __future__ import annotations

import base64
import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pydantic import SecretStr
from pytestqt.qtbot import QtBot

from app.core.endpoints import Deployment
from app.core.history import History
from app.core.profiles import Profile, SetupStep
from app.core.public_api import MemberStatus
from app.core.reinvite import ReinviteResult
from app.core.secrets import ProfileSecrets
from app.gui.context import AppContext, Stores
from app.gui.members.model import ROW_ROLE
from app.gui.members.rows import MemberRow, RowStatus
from app.gui.members.window import MembersWindow
from tests.fixtures.hostile_server import HostileServer, RawRequest
from tests.gui.sandbox_proxy import RequestHook, SandboxProxy

if TYPE_CHECKING:
    from app.gui.demo import Demo

#: The offscreen platform (CI) cannot do these window-manager calls; harmless there.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

PROFILE = "Demo organization"
WAIT_MS = 15_000


#: People Okta provisions before each test, so every test has invited members whatever the
#: sandbox's seeded mix of statuses is.
NEW_PEOPLE = (
    ("Ines", "Okafor", "ines.okafor@example.com"),
    ("Tomas", "Lindqvist", "tomas.lindqvist@example.com"),
    ("Priya", "Raman", "priya.raman@example.com"),
)


def save_profile(
    ctx: AppContext,
    *,
    public_api: bool = True,
    name: str = PROFILE,
    provision: bool = True,
    info: dict[str, str] | None = None,
) -> str:
    """Save a profile for the sandbox (as the wizard would); Okta provisions three new people.

    `info` is the sandbox's line when `ctx` is not the demo's own (another admin's stores).
    """
    from app.sandbox.okta.scim_push import Person, provision_users

    info = info or ctx.sandbox_info
    assert info is not None
    if provision:
        people = [Person(given, family, email) for given, family, email in NEW_PEOPLE]
        results = provision_users(info["scim_url"], info["scim_key"], people)
        assert all(r.outcome == "created" for r in results)
    ctx.profiles.save(
        Profile(
            name=name,
            deployment=Deployment.SELF_HOSTED,
            server_url=info["api_url"].removesuffix("/api"),
            organization_id=info["organization_id"],
            setup_step=SetupStep.DONE,
            has_public_api=public_api,
        ),
        ProfileSecrets(
            scim_url=info["scim_url"],
            scim_key=SecretStr(info["scim_key"]),
            client_id=info["client_id"] if public_api else None,
            client_secret=SecretStr(info["client_secret"]) if public_api else None,
        ),
    )
    return name


def server_members(ctx: AppContext) -> list[dict[str, Any]]:
    """The organization as the sandbox holds it (its control endpoint, over HTTP)."""
    assert ctx.sandbox_info is not None
    response = httpx.get(ctx.sandbox_info["control_url"] + "/state", timeout=10)
    response.raise_for_status()
    members: list[dict[str, Any]] = response.json()["members"]
    return members


def accept(ctx: AppContext, member_id: str) -> None:
    """The invited person follows the invitation link (the sandbox's control endpoint)."""
    assert ctx.sandbox_info is not None
    url = f"{ctx.sandbox_info['control_url']}/members/{member_id}/accept"
    httpx.post(url, timeout=10).raise_for_status()


def shown(window: MembersWindow) -> dict[str, MemberRow]:
    return {row.id: row for row in window.model.rows}


def password(ctx: AppContext) -> SecretStr:
    assert ctx.sandbox_info is not None
    return SecretStr(ctx.sandbox_info["bw_password"])


@pytest.fixture
def open_window(qtbot: QtBot) -> Callable[..., MembersWindow]:
    """Open a members window and wait for its first refresh."""

    def open_(ctx: AppContext, name: str = PROFILE) -> MembersWindow:
        window = MembersWindow(ctx, name)
        qtbot.addWidget(window)
        shown_and_recorded(qtbot, window, window.show)
        return window

    return open_


def shown_and_recorded(qtbot: QtBot, window: MembersWindow, start: Callable[[], None]) -> None:
    """`start` a refresh; return once its rows are shown and its sighting is in the history
    (written after the rows are shown: a test that then edits the history must wait for both)."""
    with (
        qtbot.waitSignal(window.history_recorded, timeout=WAIT_MS),
        qtbot.waitSignal(window.refreshed, timeout=WAIT_MS),
    ):
        start()


def refresh(qtbot: QtBot, window: MembersWindow) -> None:
    shown_and_recorded(qtbot, window, window.refresh_now)


def test_statuses_are_the_servers(
    demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    expected = {m["id"]: m for m in server_members(demo_context)}
    rows = shown(window)
    assert set(rows) == set(expected)
    for member_id, row in rows.items():
        assert int(row.status) == expected[member_id]["status"]
        assert row.email == expected[member_id]["email"]
        assert row.external_id == (expected[member_id]["externalId"] or "")
    # The status buttons count what the server holds.
    for status in (RowStatus.INVITED, RowStatus.ACCEPTED, RowStatus.CONFIRMED):
        count = sum(1 for m in expected.values() if m["status"] == int(status))
        assert window.status_buttons[status].text().endswith(f"({count})")
    # Invited members show how long they have waited, from the local history ("first seen").
    invited = next(r for r in rows.values() if r.status is RowStatus.INVITED)
    assert invited.first_seen_waiting is not None
    assert window.admin_console_url() is not None
    assert not window.scim_banner.isVisible()


def test_acceptance_appears_as_needing_confirmation_with_a_notification(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    invited = next(r for r in window.model.rows if r.status is RowStatus.INVITED)
    before = window.status_buttons[RowStatus.ACCEPTED].text()
    accept(demo_context, invited.id)
    with qtbot.waitSignal(window.notified, timeout=WAIT_MS) as notified:
        refresh(qtbot, window)
    assert invited.email in notified.args[1] or (invited.name and invited.name in notified.args[1])
    row = shown(window)[invited.id]
    assert row.status is RowStatus.ACCEPTED
    assert row.can_confirm
    # Waiting since: when this program first saw the acceptance (not the invitation).
    assert row.first_seen_waiting is not None
    assert invited.first_seen_waiting is not None
    assert row.first_seen_waiting > invited.first_seen_waiting
    assert invited.id in window.model.touched  # highlighted as changed
    assert window.notice_banner.isVisible()
    assert window.status_buttons[RowStatus.ACCEPTED].text() != before
    # The filter button shows exactly who needs confirming.
    window.show_status(RowStatus.ACCEPTED)
    assert all(r.status is RowStatus.ACCEPTED for r in window.filter.visible_rows())
    assert invited.id in {r.id for r in window.filter.visible_rows()}


def test_confirm_one_through_the_dialogs_shows_the_fingerprint_phrase(
    qtbot: QtBot, demo: Demo, open_window: Callable[..., MembersWindow]
) -> None:
    ctx = demo.ctx
    save_profile(ctx)
    window = open_window(ctx)
    invited = next(r for r in window.model.rows if r.status is RowStatus.INVITED)
    accept(ctx, invited.id)
    refresh(qtbot, window)
    assert window.start_confirm([invited.id])
    flow = window.confirm_flow
    log_in(qtbot, window, password(ctx))
    qtbot.waitUntil(lambda: flow.fingerprint_dialog is not None, timeout=WAIT_MS)
    dialog = flow.fingerprint_dialog
    assert dialog is not None
    assert dialog.phrases() == [expected_phrase(demo, invited.id)]
    assert not dialog.confirm_button.isEnabled()  # nothing is confirmed unverified
    dialog.set_verified(invited.id)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        dialog.accept()
    [outcome] = finished.args[0]
    assert (outcome.member_id, str(outcome.result)) == (invited.id, "confirmed")
    qtbot.waitUntil(
        lambda: shown(window)[invited.id].status is RowStatus.CONFIRMED, timeout=WAIT_MS
    )
    assert {m["id"]: m["status"] for m in server_members(ctx)}[invited.id] == MemberStatus.CONFIRMED


def log_in(qtbot: QtBot, window: MembersWindow, master_password: SecretStr) -> None:
    """Type the master password into the native confirm's login dialog (the demo prefills the
    admin's e-mail) and press "Log in and unlock"."""
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.login_dialog is not None, timeout=WAIT_MS)
    dialog = flow.login_dialog
    assert dialog is not None
    assert dialog.email.text()  # the admin's e-mail, known in the demo
    dialog.password.setText(master_password.get_secret_value())
    assert dialog.continue_button.isEnabled()
    dialog.continue_button.click()


def expected_phrase(demo: Demo, member_id: str) -> str:
    """The phrase the member would read out: computed from their key by the sandbox's own code."""
    from app.sandbox.fingerprint import fingerprint_phrase

    assert demo.sandbox is not None
    state = demo.sandbox.state
    member = state.members[member_id]
    account = state.account_for(member)
    assert account is not None
    assert member.user_id is not None
    return fingerprint_phrase(member.user_id, account.key_pair.public_key_der)


def spoil_one_key(member_id: str) -> RequestHook:
    """Rewrites the bulk confirm so one member's organization key is not one they can open: the
    server then answers an error for that member alone (an injected per-member failure)."""

    def rewrite(request: RawRequest, body: bytes) -> bytes:
        if request.method != "POST" or not request.path.endswith("/users/confirm"):
            return body
        data = json.loads(body)
        for entry in data["keys"]:
            if entry["id"] == member_id:
                entry["key"] = "4." + base64.b64encode(b"\0" * 256).decode()
        return json.dumps(data).encode()

    return rewrite


def test_bulk_confirm_reports_each_member_and_a_retry_finishes_the_job(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    hostile_server: HostileServer,
) -> None:
    ctx = demo_context
    assert ctx.sandbox_info is not None
    proxy = SandboxProxy(ctx.sandbox_info, hostile_server)
    save_profile(ctx, info=proxy.info(ctx.sandbox_info))
    window = open_window(ctx)
    invited = [r for r in window.model.rows if r.status is RowStatus.INVITED][:3]
    confirmed = next(r for r in window.model.rows if r.status is RowStatus.CONFIRMED)
    for row in invited:
        accept(ctx, row.id)
    refresh(qtbot, window)
    proxy.on_request = spoil_one_key(invited[1].id)
    wanted = [r.id for r in invited] + [confirmed.id]
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        assert window.start_confirm(wanted, password=password(ctx), verified=True)
    results = {o.member_id: (str(o.result), o.reason) for o in finished.args[0]}
    assert results[invited[0].id][0] == "confirmed"
    assert results[invited[2].id][0] == "confirmed"
    assert results[invited[1].id][0] == "failed"
    assert results[invited[1].id][1]  # and says why
    assert results[confirmed.id][0] == "skipped"  # never touches a member who is not accepted
    # One bulk request for the three, not one per member.
    assert sum(p.endswith("/users/confirm") for p in proxy.paths) == 1
    statuses = {m["id"]: m["status"] for m in server_members(ctx)}
    assert statuses[invited[1].id] == MemberStatus.ACCEPTED
    assert window.outcome_dialog is not None
    assert window.outcome_dialog.retry_button.isVisible()
    assert not window.confirm_flow.session_open
    # The server is well again; "Retry the failed ones" asks for the password and the phrase.
    proxy.on_request = None
    refresh(qtbot, window)
    window.outcome_dialog.retry_button.click()
    flow = window.confirm_flow
    log_in(qtbot, window, password(ctx))
    qtbot.waitUntil(lambda: flow.fingerprint_dialog is not None, timeout=WAIT_MS)
    assert flow.fingerprint_dialog is not None
    flow.fingerprint_dialog.all_verified.setChecked(True)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as retried:
        flow.fingerprint_dialog.accept()
    assert [(o.member_id, str(o.result)) for o in retried.args[0]] == [(invited[1].id, "confirmed")]
    statuses = {m["id"]: m["status"] for m in server_members(ctx)}
    assert all(statuses[r.id] == MemberStatus.CONFIRMED for r in invited)


def test_cancelled_password_dialog_confirms_nobody(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    invited = next(r for r in window.model.rows if r.status is RowStatus.INVITED)
    accept(demo_context, invited.id)
    refresh(qtbot, window)
    assert window.start_confirm([invited.id])
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.login_dialog is not None, timeout=WAIT_MS)
    assert flow.login_dialog is not None
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        flow.login_dialog.reject()
    assert not flow.session_open
    assert [str(o.result) for o in finished.args[0]] == ["skipped"]
    statuses = {m["id"]: m["status"] for m in server_members(demo_context)}
    assert statuses[invited.id] == MemberStatus.ACCEPTED


def test_reinvite_sends_again_only_to_invited_members(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    invited = [r for r in window.model.rows if r.status is RowStatus.INVITED][:2]
    confirmed = next(r for r in window.model.rows if r.status is RowStatus.CONFIRMED)
    before = {m["id"]: m["invitedAt"] for m in server_members(demo_context)}
    with qtbot.waitSignal(window.reinvite_finished, timeout=WAIT_MS) as finished:
        window.start_reinvite([r.id for r in invited] + [confirmed.id])
    results = {o.member_id: o.result is ReinviteResult.REINVITED for o in finished.args[0]}
    assert results == {invited[0].id: True, invited[1].id: True, confirmed.id: False}
    after = {m["id"]: m["invitedAt"] for m in server_members(demo_context)}
    assert all(after[r.id] > before[r.id] for r in invited)
    assert after[confirmed.id] == before[confirmed.id]


def test_csv_export_writes_the_current_view(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    tmp_path: Path,
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    window.show_status(RowStatus.INVITED)
    window.search_box.setText("e")  # typed into the search box, as a person would
    visible = window.filter.visible_rows()
    assert visible
    assert all(r.status is RowStatus.INVITED for r in visible)
    target = tmp_path / "members.csv"
    with qtbot.waitSignal(window.exported, timeout=WAIT_MS) as exported:
        window.export_csv(target)
    assert exported.args == [str(target), len(visible)]
    with target.open(newline="", encoding="utf-8") as stream:
        records = list(csv.DictReader(stream))
    assert [r["Member id"] for r in records] == [r.id for r in visible]
    assert {r["Status"] for r in records} == {"Invited"}
    assert all(r["Waiting since (first seen)"] for r in records)
    # The invitation fields the table's Invitation column shows (issue 17): all fresh here.
    assert {r["Invitation"] for r in records} == {"Valid"}
    assert all(r["Invitation expires (about)"] for r in records)


def test_waiting_since_survives_a_restart(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    first = open_window(demo_context)
    seen = {r.id: r.first_seen_waiting for r in first.model.rows if r.status is RowStatus.INVITED}
    assert seen
    assert all(seen.values())
    first.close()
    # A new program run: a new context and History on the same files, a new window.
    stores = demo_context.stores
    restarted = AppContext(
        Stores(stores.secrets, stores.profiles, History(path=stores.history.path)),
        demo=True,
        sandbox_info=demo_context.sandbox_info,
    )
    second = open_window(restarted)
    again = {r.id: r.first_seen_waiting for r in second.model.rows if r.id in seen}
    assert again == seen


def test_without_public_api_key_the_scim_view_says_why_and_cannot_confirm(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context, public_api=False)
    window = open_window(demo_context)
    assert window.scim_banner.isVisible()
    assert "Public API" in window.scim_banner.text()
    rows = window.model.rows
    assert rows
    assert {r.status for r in rows} <= {RowStatus.PROVISIONED, RowStatus.REVOKED}
    assert not window.confirm_button.isEnabled()
    assert not window.confirm_all_button.isEnabled()
    assert "Public API" in window.confirm_button.toolTip()
    assert not window.start_confirm([rows[0].id], password=password(demo_context), verified=True)
    assert window.error_banner.isVisible()


def test_a_429_postpones_the_next_refresh_by_retry_after(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    from app.core.public_api import PublicApiError

    save_profile(demo_context)
    window = open_window(demo_context)
    window.set_refresh_interval(30)
    window._refresh_error(PublicApiError("Slow down!", status=429, retry_after=95.0))
    window.schedule._settled()  # as when the failed refresh ends
    assert window.schedule.timer.isActive()
    assert window.schedule.timer.remainingTime() > 60_000
    assert "slow down" in window.error_banner.text().lower()


def test_switching_organization_shows_the_other_profile(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    save_profile(demo_context, public_api=False, name="Same org, SCIM only", provision=False)
    window = open_window(demo_context)
    assert window.mode == "public_api"
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        window.profile_box.setCurrentText("Same org, SCIM only")
    assert window.profile_name == "Same org, SCIM only"
    assert window.mode == "scim_only"
    assert "Same org, SCIM only" in window.windowTitle()
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        window.profile_box.setCurrentText(PROFILE)
    # The last organization viewed, not the last saved, is the one the next start opens.
    last = demo_context.profiles.last_used()
    assert last is not None
    assert last.name == PROFILE


def test_rows_are_readable_by_role(
    demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    index = window.filter.index(0, 0)
    assert isinstance(index.data(ROW_ROLE), MemberRow)


def unknown_kdf(request: RawRequest, status: int, body: bytes) -> tuple[int, bytes]:
    """The server says the account uses a key derivation this client does not implement."""
    if request.path.startswith("/identity/accounts/prelogin"):
        data = json.loads(body)
        data["kdf"] = 9
        return status, json.dumps(data).encode()
    return status, body


def test_a_refused_account_is_offered_the_cli_whose_prerequisites_are_explained(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    hostile_server: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    ctx = demo_context
    assert ctx.sandbox_info is not None
    proxy = SandboxProxy(ctx.sandbox_info, hostile_server)
    save_profile(ctx, info=proxy.info(ctx.sandbox_info))
    window = open_window(ctx)
    invited = next(r for r in window.model.rows if r.status is RowStatus.INVITED)
    accept(ctx, invited.id)
    refresh(qtbot, window)
    # A real profile (not the demo) on a computer without the Bitwarden CLI, for an account the
    # native client refuses (it never guesses at a key derivation it does not implement).
    ctx.demo = False
    proxy.on_answer = unknown_kdf
    monkeypatch.setenv("SCIM_ASSISTANT_BW", str(tmp_path / "no-bw-here"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert window.start_confirm([invited.id])
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.login_dialog is not None, timeout=WAIT_MS)
    dialog = flow.login_dialog
    assert dialog is not None
    assert not dialog.email.text()  # outside the demo nobody told the program the e-mail yet
    dialog.email.setText(ctx.sandbox_info["admin_email"])
    dialog.password.setText(password(ctx).get_secret_value())
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: flow.refusal_box is not None, timeout=WAIT_MS)
    box = flow.refusal_box
    assert box is not None
    assert "web vault" in box.text()
    assert "cannot be bound" in box.informativeText()
    assert not flow.session_open  # the native session ended with the refusal
    [use_cli] = [b for b in box.buttons() if "CLI" in b.text()]
    use_cli.click()
    qtbot.waitUntil(lambda: flow.prerequisites_dialog is not None, timeout=WAIT_MS)
    prerequisites = flow.prerequisites_dialog
    assert prerequisites is not None
    assert "npm" in prerequisites.commands.toPlainText()  # how to install it, ready to copy
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        prerequisites.reject()
    [outcome] = finished.args[0]
    assert outcome.result == "skipped"
    assert "CLI" in (outcome.reason or "")
    statuses = {m["id"]: m["status"] for m in server_members(ctx)}
    assert statuses[invited.id] == MemberStatus.ACCEPTED
    assert not any(p.endswith("/users/confirm") for p in proxy.paths)


def test_a_cancelled_bulk_confirm_reports_the_truth_and_a_rerun_finishes(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    invited = [r for r in window.model.rows if r.status is RowStatus.INVITED]
    for row in invited:
        accept(demo_context, row.id)
    refresh(qtbot, window)
    ids = [r.id for r in invited]
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        assert window.start_confirm(ids, password=password(demo_context), verified=True)
        window.confirm_flow.cancel()  # at once: at most the member on the wire gets confirmed
    statuses = {m["id"]: m["status"] for m in server_members(demo_context)}
    reported = {o.member_id: o.result for o in finished.args[0]}
    assert set(reported) == set(ids)
    for member_id, result in reported.items():
        # What the report says is what happened on the server, member by member.
        assert (result == "confirmed") == (statuses[member_id] == MemberStatus.CONFIRMED)
    assert "skipped" in reported.values()
    qtbot.waitUntil(lambda: not window.confirm_flow.running, timeout=WAIT_MS)
    refresh(qtbot, window)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as rerun:
        assert window.start_confirm(ids, password=password(demo_context), verified=True)
    again = {o.member_id: o.result for o in rerun.args[0]}
    assert all(again[i] == ("skipped" if reported[i] == "confirmed" else "confirmed") for i in ids)
    statuses = {m["id"]: m["status"] for m in server_members(demo_context)}
    assert all(statuses[i] == MemberStatus.CONFIRMED for i in ids)


def test_closing_at_once_leaves_no_refresh_behind(qtbot: QtBot, demo_context: AppContext) -> None:
    import gc

    save_profile(demo_context)
    window = MembersWindow(demo_context, PROFILE)
    qtbot.addWidget(window)
    window.show()
    gc.enable()  # so the refresh's pause of the collector shows (qt_hygiene's collector is off)
    hold = window._worker_hold
    window.refresh_now()  # a refresh is on the wire when the admin closes the window
    held_during = (hold.held, gc.isenabled())
    window.close()
    assert held_during == (True, False)
    # the collector paused for the refresh is running again
    assert (hold.held, gc.isenabled()) == (False, True)
    gc.disable()  # back under qt_hygiene's main-thread collector
    # (qt_hygiene then checks that no task, thread or timer outlives the test)


def test_a_header_click_on_a_large_list_sorts_in_the_background_and_says_so(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sandbox's 25 members stand in for 20,000+: every click takes the background path.
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from app.gui.members.member_filter import MemberFilter
    from app.gui.members.rows import Column

    monkeypatch.setattr(MemberFilter, "background_sort_rows", 1)
    save_profile(demo_context)
    window = open_window(demo_context)
    header = window.table.horizontalHeader()
    section = int(Column.EMAIL)
    point = QPoint(header.sectionViewportPosition(section) + 5, header.height() // 2)
    seen: list[tuple[bool, str, bool]] = []

    def record(busy: bool) -> None:  # what the admin sees at each end of the wait
        cursor = window.table.viewport().cursor().shape() == Qt.CursorShape.BusyCursor
        seen.append((busy, window.statusBar().currentMessage(), cursor))

    window.filter.sorting.connect(record)  # after the window's own slot
    with qtbot.waitSignal(window.filter.layoutChanged, timeout=WAIT_MS):
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=point)
        assert window.filter.sort_pending
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=WAIT_MS)
    assert seen == [(True, "Sorting…", True), (False, "", False)]
    assert window.filter.sort_column is Column.EMAIL
    emails = [r.email for r in window.filter.visible_rows()]
    assert emails == sorted(emails, key=str.casefold)


def test_the_action_buttons_have_their_own_alt_shortcuts(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

    save_profile(demo_context)
    window = open_window(demo_context)
    buttons = [
        window.confirm_button,
        window.confirm_all_button,
        window.reinvite_button,
        window.export_button,
        window.console_button,
    ]
    letters = [b.text().replace("&&", "").split("&", 1)[1][0].lower() for b in buttons]
    menus = [a.text().split("&", 1)[1][0].lower() for a in window.menuBar().actions()]
    assert len(set(letters + menus)) == len(letters + menus), letters + menus
    assert all("&" not in b.accessibleName() for b in window.findChildren(QPushButton))

    # Alt+E, with the focus wherever it is, exports (the file dialog answered by the test).
    target = tmp_path / "by-keyboard.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), ""))
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window, WAIT_MS)
    focus = QApplication.focusWidget() or window
    with qtbot.waitSignal(window.exported, timeout=WAIT_MS):
        QTest.keyClick(focus, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    assert target.exists()
