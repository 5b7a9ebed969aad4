"""The members window's Okta side against the sandbox Okta org: shown only with an Okta token,
it lists whom Okta failed to provision and why (the System Log's reason and the Bitwarden member
holding the e-mail), whom Bitwarden has that Okta does not assign, and app usernames that are not
the e-mail; Okta is read at most once a minute however often the members refresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr
from pytestqt.qtbot import QtBot

from app.gui.context import AppContext
from app.gui.members.okta_side import OktaSidePanel
from app.gui.members.rows import RowStatus
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


def _with_okta(ctx: AppContext) -> None:
    info = ctx.sandbox_info
    assert info is not None
    saved = ctx.secrets.load(PROFILE)
    assert saved is not None
    profile = ctx.profiles.get(PROFILE)
    assert profile is not None
    ctx.profiles.save(
        profile,
        saved.model_copy(
            update={"okta_url": info["okta_url"], "okta_token": SecretStr(info["okta_token"])}
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


def _read(qtbot: QtBot, panel: OktaSidePanel) -> None:
    qtbot.waitUntil(lambda: panel._task is not None and not panel.busy, timeout=WAIT_MS)


def test_without_an_okta_token_the_window_is_as_before(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    window = open_window(demo_context)
    _read(qtbot, window.okta_side)
    assert window.okta_side.side is None
    assert not window.okta_side.isVisibleTo(window)


def test_what_okta_tried_and_failed_to_provision(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    login = _fault(demo_context, "username_is_login")
    revoked = _fault(demo_context, "revoked_member_conflict")
    window = open_window(demo_context)
    panel = window.okta_side
    _read(qtbot, panel)
    assert panel.isVisibleTo(window)
    side = panel.side
    assert side is not None
    missing = {row.email: row.reason for row in side.not_in_bitwarden}
    assert login["email"] in missing
    assert revoked["email"] in missing
    assert revoked["old_email"] in missing[revoked["email"]]  # the member holding the person
    assert "revoked" in missing[revoked["email"]]
    assert [m.email for m in side.username_mismatches] == [login["email"]]
    # Bitwarden's seeded members are not assigned in Okta; revoked ones are not listed.
    rows = list(window.model.rows)
    active = {r.email for r in rows if r.status is not RowStatus.REVOKED}
    revoked_rows = {r.email for r in rows if r.status is RowStatus.REVOKED}
    assert set(side.not_in_okta) <= active
    assert not set(side.not_in_okta) & revoked_rows
    assert len(side.not_in_okta) >= 20
    summary = panel.summary.text()
    assert f"{len(side.not_in_bitwarden)} in Okta but not in Bitwarden" in summary
    assert "1 app usernames ≠ email" in summary
    panel.details_button.click()
    assert panel.details.isVisibleTo(window)
    details = panel.details.toPlainText()
    assert "In Okta, not in Bitwarden" in details
    assert revoked["email"] in details
    info = demo_context.sandbox_info
    assert info is not None
    assert info["okta_token"] not in summary + details


def test_okta_is_read_at_most_once_a_minute_unless_asked(
    qtbot: QtBot, demo_context: AppContext, open_window: Callable[..., MembersWindow]
) -> None:
    save_profile(demo_context)
    _with_okta(demo_context)
    window = open_window(demo_context)
    panel = window.okta_side
    _read(qtbot, panel)
    first = panel._last_read
    assert panel.side is not None
    assert panel.side.not_in_bitwarden == []
    fault = _fault(demo_context, "token_rotated")
    refresh(qtbot, window)  # the members refresh again: Okta was read moments ago
    assert panel._last_read == first
    assert not window.okta_side.busy
    panel.check_button.click()  # the admin asks: read now
    assert panel.busy
    _read(qtbot, panel)
    assert panel.side is not None
    reasons = {row.email: row.reason for row in panel.side.not_in_bitwarden}
    assert "SCIM key was rotated" in reasons[fault["email"]]
