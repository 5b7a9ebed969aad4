"""The members window confirms natively against the sandbox over real HTTP, real crypto.

Login and unlock in one dialog (asked again on a wrong password), Cancel while unlocking, the
session closed at every ending, and no connection to a `bw serve` look-alike on port 8087.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.core.public_api import MemberStatus
from app.gui.context import AppContext
from app.gui.members.confirm_dialogs import FingerprintDialog
from app.gui.members.confirm_login import LoginDialog
from app.gui.members.rows import RowStatus
from app.gui.members.window import MembersWindow
from app.gui.tasks import running_task_count
from tests.fixtures.hostile_server import HostileServer, RawRequest
from tests.gui.sandbox_proxy import SandboxProxy
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


@pytest.fixture
def members_window(
    demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> MembersWindow:
    """The demo's members window, its profile saved."""
    save_profile(demo_context)
    return open_window(demo_context)


def one_accepted(qtbot: QtBot, ctx: AppContext, window: MembersWindow) -> str:
    invited = next(r for r in window.model.rows if r.status is RowStatus.INVITED)
    accept(ctx, invited.id)
    for _ in range(5):  # a refresh already on the wire may predate the acceptance
        refresh(qtbot, window)
        if any(r.id == invited.id and r.can_confirm for r in window.model.rows):
            break
    return invited.id


def status_of(ctx: AppContext, member_id: str) -> int:
    return int({m["id"]: m["status"] for m in server_members(ctx)}[member_id])


def login_dialog(qtbot: QtBot, window: MembersWindow, member_ids: list[str]) -> LoginDialog:
    """Start confirming `member_ids` and wait for the login dialog it asks with."""
    assert window.start_confirm(member_ids)
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.login_dialog is not None, timeout=WAIT_MS)
    dialog = flow.login_dialog
    assert dialog is not None
    return dialog


def fingerprint_dialog(qtbot: QtBot, window: MembersWindow) -> FingerprintDialog:
    """Wait for the fingerprint phrases to be shown."""
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.fingerprint_dialog is not None, timeout=WAIT_MS)
    fingerprints = flow.fingerprint_dialog
    assert fingerprints is not None
    return fingerprints


def test_a_wrong_master_password_asks_again_and_the_right_one_confirms(
    qtbot: QtBot,
    demo_context: AppContext,
    members_window: MembersWindow,
    squatter: HostileServer,
) -> None:
    ctx, window = demo_context, members_window
    member_id = one_accepted(qtbot, ctx, window)
    dialog = login_dialog(qtbot, window, [member_id])
    flow = window.confirm_flow
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
    fingerprints = fingerprint_dialog(qtbot, window)
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
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
    member_id = one_accepted(qtbot, ctx, window)
    dialog = start_with_password(qtbot, ctx, window, [member_id])
    flow = window.confirm_flow
    assert dialog.busy  # the KDF is running off the GUI thread
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        dialog.reject()  # the Cancel button
    assert [(o.member_id, o.result) for o in finished.args[0]] == [(member_id, "skipped")]
    assert not flow.session_open
    assert not flow.running
    qtbot.waitUntil(lambda: running_task_count() == 0, timeout=WAIT_MS)
    assert status_of(ctx, member_id) == MemberStatus.ACCEPTED


def test_closing_the_window_at_the_fingerprint_step_ends_the_run(
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
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
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    """The smoke test's and the benches' way in: no dialog, one bulk request."""
    ctx, window = demo_context, members_window
    member_id = one_accepted(qtbot, ctx, window)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        assert window.start_confirm(
            [member_id], password=SecretStr(password(ctx).get_secret_value()), verified=True
        )
    assert [(o.member_id, o.result) for o in finished.args[0]] == [(member_id, "confirmed")]
    assert window.confirm_flow.login_dialog is None
    assert status_of(ctx, member_id) == MemberStatus.CONFIRMED


# ---------------------------------------------------------------- the sandbox's login switches
def admin_login(ctx: AppContext, **settings: object) -> dict[str, Any]:
    """Switch the sandbox admin's two-step / new-device / KDF (the control endpoint)."""
    assert ctx.sandbox_info is not None
    answer = httpx.post(f"{ctx.sandbox_info['control_url']}/admin/login", json=settings, timeout=10)
    answer.raise_for_status()
    body: dict[str, Any] = answer.json()
    return body


def mailbox(ctx: AppContext) -> dict[str, str | None]:
    """What the sandbox "e-mailed" the admin last (their inbox)."""
    assert ctx.sandbox_info is not None
    answer = httpx.get(f"{ctx.sandbox_info['control_url']}/admin/mailbox", timeout=10)
    answer.raise_for_status()
    box: dict[str, str | None] = answer.json()
    return box


def authenticator_code(secret_base32: str) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as an authenticator app computes it from the secret."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def start_with_password(
    qtbot: QtBot, ctx: AppContext, window: MembersWindow, member_ids: list[str]
) -> LoginDialog:
    """Start confirming `member_ids` and log in with the admin's master password."""
    dialog = login_dialog(qtbot, window, member_ids)
    dialog.password.setText(password(ctx).get_secret_value())
    dialog.continue_button.click()
    return dialog


def verify_and_confirm(qtbot: QtBot, window: MembersWindow, member_id: str) -> list[Any]:
    fingerprints = fingerprint_dialog(qtbot, window)
    fingerprints.set_verified(member_id)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        fingerprints.accept()
    outcomes: list[Any] = finished.args[0]
    return outcomes


def answer_code(qtbot: QtBot, dialog: LoginDialog, code: str) -> None:
    qtbot.waitUntil(lambda: dialog.asking_code and not dialog.busy, timeout=WAIT_MS)
    dialog.code.setText(code)
    dialog.continue_button.click()


def test_an_authenticator_code_is_asked_in_the_same_dialog_and_again_when_wrong(
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
    member_id = one_accepted(qtbot, ctx, window)
    secret = admin_login(ctx, two_step=[0])["totp_secret"]
    dialog = start_with_password(qtbot, ctx, window, [member_id])
    qtbot.waitUntil(lambda: dialog.asking_code, timeout=WAIT_MS)
    assert "authenticator" in dialog.code_label.text()
    assert not dialog.resend_button.isVisible()  # nothing to re-send for an app
    wrong = f"{(int(authenticator_code(secret)) + 500_000) % 1_000_000:06d}"
    answer_code(qtbot, dialog, wrong)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    assert dialog.asking_code
    assert "not correct" in dialog.error.text()
    answer_code(qtbot, dialog, authenticator_code(secret))
    outcomes = verify_and_confirm(qtbot, window, member_id)
    assert [(o.member_id, o.result) for o in outcomes] == [(member_id, "confirmed")]
    assert status_of(ctx, member_id) == MemberStatus.CONFIRMED


def test_an_e_mailed_two_step_code_and_send_it_again(
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
    member_id = one_accepted(qtbot, ctx, window)
    admin_login(ctx, two_step=[1])
    dialog = start_with_password(qtbot, ctx, window, [member_id])
    qtbot.waitUntil(lambda: dialog.asking_code and not dialog.busy, timeout=WAIT_MS)
    assert "e-mailed" in dialog.code_label.text()
    first = mailbox(ctx)["two_step"]
    assert first  # the program asked the server to e-mail it
    assert dialog.resend_button.isVisible()
    dialog.resend_button.click()
    qtbot.waitUntil(lambda: mailbox(ctx)["two_step"] != first, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    code = mailbox(ctx)["two_step"]
    assert code is not None
    answer_code(qtbot, dialog, code)
    outcomes = verify_and_confirm(qtbot, window, member_id)
    assert [(o.member_id, o.result) for o in outcomes] == [(member_id, "confirmed")]


def test_a_new_device_code_is_asked_then_the_device_is_known(
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
    member_id = one_accepted(qtbot, ctx, window)
    admin_login(ctx, new_device_verification=True)
    dialog = start_with_password(qtbot, ctx, window, [member_id])
    qtbot.waitUntil(lambda: dialog.asking_code and not dialog.busy, timeout=WAIT_MS)
    assert "new device" in dialog.code_label.text()
    code = mailbox(ctx)["new_device"]
    assert code is not None
    answer_code(qtbot, dialog, code)
    outcomes = verify_and_confirm(qtbot, window, member_id)
    assert [(o.member_id, o.result) for o in outcomes] == [(member_id, "confirmed")]
    # The same profile presents the same device identifier: no code the next time.
    second = one_accepted(qtbot, ctx, window)
    start_with_password(qtbot, ctx, window, [second])
    outcomes = verify_and_confirm(qtbot, window, second)
    assert [(o.member_id, o.result) for o in outcomes] == [(second, "confirmed")]


def test_an_argon2id_admin_confirms(
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
    member_id = one_accepted(qtbot, ctx, window)
    assert admin_login(ctx, kdf="argon2id")["kdf"] == "argon2id"
    start_with_password(qtbot, ctx, window, [member_id])
    outcomes = verify_and_confirm(qtbot, window, member_id)
    assert [(o.member_id, o.result) for o in outcomes] == [(member_id, "confirmed")]
    assert status_of(ctx, member_id) == MemberStatus.CONFIRMED


def test_the_personal_api_key_logs_in_and_is_remembered_in_the_keyring(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    ctx = demo_context
    info = ctx.sandbox_info
    assert info is not None
    name = save_profile(ctx)
    admin_login(ctx, two_step=[0])  # an API key login is never asked for a two-step code
    window = open_window(ctx)
    member_id = one_accepted(qtbot, ctx, window)
    dialog = login_dialog(qtbot, window, [member_id])
    flow = window.confirm_flow
    dialog.use_api_key.setChecked(True)
    assert not dialog.email.isVisible()
    dialog.api_key_id.setText(info["admin_api_key_client_id"])
    dialog.api_key_secret.setText(info["admin_api_key_client_secret"])
    dialog.password.setText(password(ctx).get_secret_value())
    dialog.remember.setChecked(True)
    dialog.continue_button.click()
    outcomes = verify_and_confirm(qtbot, window, member_id)
    assert [(o.member_id, o.result) for o in outcomes] == [(member_id, "confirmed")]
    saved = ctx.secrets.load(name)
    assert saved is not None
    assert saved.admin_api_key_id == info["admin_api_key_client_id"]
    assert saved.admin_api_key_secret is not None
    assert saved.admin_api_key_secret.get_secret_value() == info["admin_api_key_client_secret"]
    # Next time only the master password is missing: the saved key is offered.
    second = one_accepted(qtbot, ctx, window)
    assert window.start_confirm([second])
    qtbot.waitUntil(lambda: flow.login_dialog is not None, timeout=WAIT_MS)
    again = flow.login_dialog
    assert again is not None
    assert again.uses_api_key()
    assert again.api_key_id.text() == info["admin_api_key_client_id"]
    assert again.api_key_secret.text() == ""  # never shown back
    again.password.setText(password(ctx).get_secret_value())
    again.continue_button.click()
    outcomes = verify_and_confirm(qtbot, window, second)
    assert [(o.member_id, o.result) for o in outcomes] == [(second, "confirmed")]


# ---------------------------------------------------------------- a key swapped after the phrase
def swap_key(ctx: AppContext, member_id: str) -> None:
    """The server hands out another key pair for the member, as a malicious server would."""
    assert ctx.sandbox_info is not None
    url = f"{ctx.sandbox_info['control_url']}/members/{member_id}/swap-key"
    httpx.post(url, timeout=30).raise_for_status()


def test_a_key_swapped_after_the_phrase_confirms_nobody_and_the_window_names_the_member(
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
    first = one_accepted(qtbot, ctx, window)
    second = one_accepted(qtbot, ctx, window)
    assert window.start_confirm([first, second], password=password(ctx))
    flow = window.confirm_flow
    fingerprints = fingerprint_dialog(qtbot, window)
    fingerprints.all_verified.setChecked(True)
    swap_key(ctx, first)  # between the phrase the admin verified and the confirm
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        fingerprints.accept()
    results = {o.member_id: (o.result, o.reason) for o in finished.args[0]}
    assert results[first][0] == "mismatch"
    assert "changed" in results[first][1]
    assert results[second][0] == "skipped"  # nobody is confirmed when one key changed
    assert status_of(ctx, first) == MemberStatus.ACCEPTED
    assert status_of(ctx, second) == MemberStatus.ACCEPTED
    assert window.outcome_dialog is not None
    summary = window.outcome_dialog.summary.text()
    email = next(r.email for r in window.model.rows if r.id == first)
    assert "CHANGED KEY" in summary
    assert email in summary
    assert not flow.session_open


def test_on_the_bw_serve_fallback_a_swapped_key_is_refused_too(
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
    member_id = one_accepted(qtbot, ctx, window)
    assert window.start_confirm([member_id], password=password(ctx), via_cli=True)
    fingerprints = fingerprint_dialog(qtbot, window)
    # The dialog says plainly that through the CLI the check cannot be bound, and why.
    [warning] = [w for w in fingerprints.findChildren(QLabel) if w.objectName() == "cli-not-bound"]
    assert "cannot be bound" in warning.text()
    assert "fetches" in warning.text()
    fingerprints.set_verified(member_id)
    swap_key(ctx, member_id)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        fingerprints.accept()
    [outcome] = finished.args[0]
    assert (outcome.member_id, outcome.result) == (member_id, "mismatch")
    assert status_of(ctx, member_id) == MemberStatus.ACCEPTED


def test_a_server_error_after_the_bulk_confirm_reports_what_the_server_holds(
    qtbot: QtBot,
    demo_context: AppContext,
    open_window: Callable[..., MembersWindow],
    hostile_server: HostileServer,
) -> None:
    """The bulk request reached the server, but its answer is lost to a 502 on the way back: the
    window reads the member list again and reports each member as the server holds them (none
    half-confirmed, no guess), and says what to do."""
    ctx = demo_context
    assert ctx.sandbox_info is not None
    proxy = SandboxProxy(ctx.sandbox_info, hostile_server)
    save_profile(ctx, info=proxy.info(ctx.sandbox_info))
    window = open_window(ctx)
    first = one_accepted(qtbot, ctx, window)
    second = one_accepted(qtbot, ctx, window)

    def lose_the_answer(request: RawRequest, status: int, body: bytes) -> tuple[int, bytes]:
        if request.method == "POST" and request.path.endswith("/users/confirm"):
            return 502, b""
        return status, body

    proxy.on_answer = lose_the_answer
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        assert window.start_confirm([first, second], password=password(ctx), verified=True)
    results = {o.member_id: o.result for o in finished.args[0]}
    assert results == {first: "confirmed", second: "confirmed"}  # as the server holds them
    assert status_of(ctx, first) == MemberStatus.CONFIRMED
    assert status_of(ctx, second) == MemberStatus.CONFIRMED
    assert not window.confirm_flow.session_open


def test_a_server_error_mid_bulk_confirm_leaves_no_guess_and_a_retry_confirms_only_the_rest(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    """The sandbox's fault: the next bulk confirm confirms one member, then answers 500."""
    ctx = demo_context
    assert ctx.sandbox_info is not None
    save_profile(ctx)
    window = open_window(ctx)
    first = one_accepted(qtbot, ctx, window)
    second = one_accepted(qtbot, ctx, window)
    fault = {"bulk_confirm_fails_after": 1}
    url = f"{ctx.sandbox_info['control_url']}/vault/faults"
    httpx.post(url, json=fault, timeout=10).raise_for_status()
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as finished:
        assert window.start_confirm([first, second], password=password(ctx), verified=True)
    results = {o.member_id: (o.result, o.reason) for o in finished.args[0]}
    statuses = {m: status_of(ctx, m) for m in (first, second)}
    # What the window reports is what the server holds, member by member.
    for member_id, (result, reason) in results.items():
        assert (result == "confirmed") == (statuses[member_id] == MemberStatus.CONFIRMED)
        if result == "failed":
            assert "again" in reason  # says what to do
    assert sorted(r for r, _ in results.values()) == ["confirmed", "failed"]
    assert window.outcome_dialog is not None
    assert window.outcome_dialog.retry_button.isVisible()
    qtbot.waitUntil(lambda: not window.confirm_flow.running, timeout=WAIT_MS)
    [left] = [m for m, (result, _) in results.items() if result == "failed"]
    refresh(qtbot, window)
    with qtbot.waitSignal(window.confirm_finished, timeout=WAIT_MS) as rerun:
        assert window.start_confirm([first, second], password=password(ctx), verified=True)
    again = {o.member_id: o.result for o in rerun.args[0]}
    assert again[left] == "confirmed"
    assert [r for m, r in again.items() if m != left] == ["skipped"]  # not confirmed twice
    assert all(status_of(ctx, m) == MemberStatus.CONFIRMED for m in (first, second))


def test_a_member_whose_phrase_was_not_ticked_is_skipped_and_stays_accepted(
    qtbot: QtBot, demo_context: AppContext, members_window: MembersWindow
) -> None:
    ctx, window = demo_context, members_window
    ticked = one_accepted(qtbot, ctx, window)
    unticked = one_accepted(qtbot, ctx, window)
    assert ticked != unticked
    start_with_password(qtbot, ctx, window, [ticked, unticked])
    outcomes = verify_and_confirm(qtbot, window, ticked)
    assert {o.member_id: o.result for o in outcomes} == {ticked: "confirmed", unticked: "skipped"}
    skipped = next(o for o in outcomes if o.member_id == unticked)
    assert "not verified" in skipped.reason
    assert status_of(ctx, ticked) == MemberStatus.CONFIRMED
    assert status_of(ctx, unticked) == MemberStatus.ACCEPTED
