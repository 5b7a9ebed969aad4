"""The members window confirms natively against the sandbox over real HTTP, real crypto.

Login and unlock in one dialog (asked again on a wrong password), Cancel while unlocking, the
session closed at every ending, and no connection to a `bw serve` look-alike on port 8087.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr
from pytestqt.qtbot import QtBot

from app.core.public_api import MemberStatus
from app.gui.context import AppContext
from app.gui.members.rows import RowStatus
from app.gui.members.window import MembersWindow
from app.gui.tasks import running_task_count
from tests.fixtures.hostile_server import HostileServer, behaviours
from tests.gui.test_members_window import (
    WAIT_MS,
    accept,
    open_window,
    password,
    refresh,
    save_profile,
    server_members,
)

__all__ = ["open_window"]  # the fixture, shared with the members window's tests

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

BW_SERVE_DEFAULT_PORT = 8087


@pytest.fixture
def squatter() -> Iterator[HostileServer]:
    """A stranger's `bw serve` look-alike on 127.0.0.1:8087, claiming to be unlocked."""
    try:
        server = HostileServer(bind_port=BW_SERVE_DEFAULT_PORT)
    except OSError as exc:  # pragma: no cover - the machine's own business
        if exc.errno != errno.EADDRINUSE:
            raise
        pytest.fail("port 8087 is in use on this machine; the test needs to own it")
    template = {"serverUrl": "", "status": "unlocked", "userEmail": "admin@example.com"}
    server.serve(behaviours.json({"success": True, "data": {"template": template}}))
    try:
        yield server
    finally:
        server.stop()


def one_accepted(qtbot: QtBot, ctx: AppContext, window: MembersWindow) -> str:
    invited = next(r for r in window.model.rows if r.status is RowStatus.INVITED)
    accept(ctx, invited.id)
    refresh(qtbot, window)
    return invited.id


def status_of(ctx: AppContext, member_id: str) -> int:
    return int({m["id"]: m["status"] for m in server_members(ctx)}[member_id])


def test_a_wrong_master_password_asks_again_and_the_right_one_confirms(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    squatter: HostileServer,
) -> None:
    ctx = demo_context
    save_profile(ctx)
    window = open_window(ctx)
    member_id = one_accepted(qtbot, ctx, window)
    assert window.start_confirm([member_id])
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.login_dialog is not None, timeout=WAIT_MS)
    dialog = flow.login_dialog
    assert dialog is not None
    dialog.password.setText("not the master password")
    dialog.continue_button.click()
    assert dialog.busy  # a busy bar while logging in, with Cancel
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    # The same dialog asks again, says why, and no member was given a "Failed" row.
    assert flow.login_dialog is dialog
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "not correct" in dialog.error.text()
    assert dialog.password.text() == ""
    assert flow.running
    dialog.password.setText(password(ctx).get_secret_value())
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: flow.fingerprint_dialog is not None, timeout=WAIT_MS)
    fingerprints = flow.fingerprint_dialog
    assert fingerprints is not None
    fingerprints.set_verified(member_id)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        fingerprints.accept()
    assert [(o.member_id, o.result) for o in finished.args[0]] == [(member_id, "confirmed")]
    assert status_of(ctx, member_id) == MemberStatus.CONFIRMED
    assert not flow.session_open
    # The program never spoke to the `bw serve` look-alike on the default port.
    assert squatter.connections == 0
    assert squatter.requests == []


def test_cancel_while_unlocking_confirms_nobody_and_closes_the_session(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    ctx = demo_context
    save_profile(ctx)
    window = open_window(ctx)
    member_id = one_accepted(qtbot, ctx, window)
    assert window.start_confirm([member_id])
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.login_dialog is not None, timeout=WAIT_MS)
    dialog = flow.login_dialog
    assert dialog is not None
    dialog.password.setText(password(ctx).get_secret_value())
    dialog.continue_button.click()
    assert dialog.busy  # the KDF is running off the GUI thread
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        dialog.reject()  # the Cancel button
    assert [(o.member_id, o.result) for o in finished.args[0]] == [(member_id, "skipped")]
    assert not flow.session_open
    assert not flow.running
    qtbot.waitUntil(lambda: running_task_count() == 0, timeout=WAIT_MS)
    assert status_of(ctx, member_id) == MemberStatus.ACCEPTED


def test_closing_the_window_at_the_fingerprint_step_ends_the_run(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    ctx = demo_context
    save_profile(ctx)
    window = open_window(ctx)
    member_id = one_accepted(qtbot, ctx, window)
    assert window.start_confirm([member_id], password=password(ctx))
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.fingerprint_dialog is not None, timeout=WAIT_MS)
    assert flow.session_open  # logged in and unlocked while the admin checks the phrases
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        window.close()
    assert [o.result for o in finished.args[0]] == ["skipped"]
    assert not window.confirm_flow.session_open  # (not `flow.`: mypy narrowed that to True)
    assert status_of(ctx, member_id) == MemberStatus.ACCEPTED


def test_a_given_password_and_verified_phrases_confirm_without_dialogs(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    """The smoke test's and the benches' way in: no dialog, one bulk request."""
    ctx = demo_context
    save_profile(ctx)
    window = open_window(ctx)
    member_id = one_accepted(qtbot, ctx, window)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        assert window.start_confirm(
            [member_id], password=SecretStr(password(ctx).get_secret_value()), verified=True
        )
    assert [(o.member_id, o.result) for o in finished.args[0]] == [(member_id, "confirmed")]
    assert window.confirm_flow.login_dialog is None
    assert status_of(ctx, member_id) == MemberStatus.CONFIRMED
