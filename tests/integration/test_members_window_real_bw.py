"""The members window confirms a member through a real `bw serve` that the program starts itself.

Not the demo: an admin's context (no `sandbox_info`, so no emulated `bw serve`), a profile for the
sandbox's HTTPS front with its private CA, and `SCIM_ASSISTANT_BW` pointing at the official CLI
(logged in as the organization's owner). The window checks the CLI's prerequisites with `bw`
itself, starts `bw serve` on a Unix socket, and the sandbox then reports the member confirmed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.endpoints import Deployment
from app.core.history import History
from app.core.profiles import Profile, ProfileStore, SetupStep
from app.core.secrets import ProfileSecrets, SecretStore
from app.gui.application import configure
from app.gui.context import AppContext, Stores
from app.gui.members.rows import RowStatus
from app.gui.members.window import MembersWindow
from app.sandbox.server import Sandbox
from app.sandbox.state import MemberStatus
from tests.fixtures.bw_cli import BwRunner
from tests.integration.conftest import (
    member_with,
    opens_to_org_key,
    public_api_status,
    take_admin_environment,
)

pytestmark = [
    pytest.mark.real_bw,
    pytest.mark.slow,
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
]

PROFILE = "Sandbox over HTTPS"
#: Starting Node for `bw --version`, `bw status`, `bw config server` and `bw serve` takes a while.
CONFIRM_MS = 180_000
REFRESH_MS = 30_000


def _bw_executable(bw: BwRunner, folder: Path, calls: Path) -> Path:
    """A `bw` on disk as npm's global install makes one, noting each call's arguments."""
    path = folder / "bw"
    node, script = bw.installation.node, bw.installation.script
    path.write_text(
        f'#!/bin/sh\necho "$*" >> "{calls}"\nexec "{node}" "{script}" "$@"\n', encoding="utf-8"
    )
    path.chmod(0o755)
    return path


def _shown_status(window: MembersWindow, member_id: str) -> RowStatus | None:
    position = window.model.position_of(member_id)
    return None if position is None else window.model.row_at(position).status


@pytest.fixture
def admin_context(vault_sandbox: Sandbox, tmp_path: Path) -> Iterator[AppContext]:
    """An admin's context with a saved profile for the sandbox's HTTPS front (its CA trusted)."""
    info = vault_sandbox.info
    secrets = SecretStore()
    history = History(path=tmp_path / "admin" / "history.sqlite3")
    profiles = ProfileStore(config_dir=tmp_path / "admin", secrets=secrets, history=history)
    ctx = AppContext(Stores(secrets, profiles, history), ca_file=Path(info["ca_file"]))
    profiles.save(
        Profile(
            name=PROFILE,
            deployment=Deployment.SELF_HOSTED,
            server_url=info["bw_server_url"],
            organization_id=info["organization_id"],
            setup_step=SetupStep.DONE,
            has_public_api=True,
        ),
        ProfileSecrets(
            scim_url=f"{info['bw_server_url']}/scim/v2/{info['organization_id']}",
            scim_key=SecretStr(info["scim_key"]),
            client_id=info["client_id"],
            client_secret=SecretStr(info["client_secret"]),
        ),
    )
    try:
        yield ctx
    finally:
        ctx.close()  # stops the `bw serve` the window started


def test_the_members_window_confirms_through_a_real_bw_serve(
    qtbot: QtBot,
    qapp: QApplication,
    admin_bw: BwRunner,
    vault_sandbox: Sandbox,
    admin_context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(qapp, icon=False)
    accepted = member_with(vault_sandbox, MemberStatus.ACCEPTED)
    calls = tmp_path / "bw-calls.txt"
    take_admin_environment(admin_bw, monkeypatch)
    monkeypatch.setenv("SCIM_ASSISTANT_BW", str(_bw_executable(admin_bw, tmp_path, calls)))

    window = MembersWindow(admin_context, PROFILE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refreshed, timeout=REFRESH_MS):
        window.show()
    rows = {row.id: row for row in window.model.rows}
    assert rows[accepted.id].can_confirm

    with qtbot.waitSignal(window.confirm_finished, timeout=CONFIRM_MS) as finished:
        started = window.start_confirm(
            [accepted.id],
            password=SecretStr(vault_sandbox.info["bw_password"]),
            verified=True,
            via_cli=True,  # the fallback for accounts the native client refuses
        )
        assert started
    outcomes: list[Any] = finished.args[0] if finished.args else []
    assert [(o.member_id, o.result) for o in outcomes] == [(accepted.id, "confirmed")], outcomes

    # It was the real CLI: its prerequisites were read with `bw`, and `bw serve` ran on a socket.
    invoked = calls.read_text(encoding="utf-8").splitlines()
    assert "status" in invoked
    assert any(line.startswith("serve --hostname unix://") for line in invoked), invoked
    # The sandbox's Public API reports the member confirmed, and the key opens to the org key.
    assert public_api_status(vault_sandbox, accepted.id) == int(MemberStatus.CONFIRMED)
    assert opens_to_org_key(vault_sandbox, accepted)
    # The window shows it after its own refresh.
    qtbot.waitUntil(
        lambda: _shown_status(window, accepted.id) is RowStatus.CONFIRMED, timeout=REFRESH_MS
    )

    window.close()
    assert QThreadPool.globalInstance().waitForDone(10_000)


def test_a_member_the_window_confirmed_natively_decrypts_the_organization_with_the_real_cli(
    qtbot: QtBot,
    qapp: QApplication,
    bw: BwRunner,
    vault_sandbox: Sandbox,
    admin_context: AppContext,
) -> None:
    """The independent oracle for the GUI's native confirm: no `bw` in the confirm itself, then
    the official CLI logs in *as the member* and decrypts the organization's collection name with
    the organization key the window encrypted to the key whose phrase it showed."""
    configure(qapp, icon=False)
    info = vault_sandbox.info
    accepted = member_with(vault_sandbox, MemberStatus.ACCEPTED)
    admin_context.profiles.set_preference(f"vault_email:{PROFILE}", info["admin_email"])
    window = MembersWindow(admin_context, PROFILE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refreshed, timeout=REFRESH_MS):
        window.show()
    assert window.start_confirm([accepted.id], password=SecretStr(info["bw_password"]))
    flow = window.confirm_flow
    qtbot.waitUntil(lambda: flow.fingerprint_dialog is not None, timeout=REFRESH_MS)
    dialog = flow.fingerprint_dialog
    assert dialog is not None
    shown_phrase = next(
        item.text()
        for column in range(dialog.table.columnCount())
        if (item := dialog.table.item(0, column)) is not None and item.text().count("-") == 4
    )
    dialog.set_verified(accepted.id)
    with qtbot.waitSignal(window.confirm_finished, timeout=REFRESH_MS) as finished:
        dialog.accept()
    assert [(o.member_id, o.result) for o in finished.args[0]] == [(accepted.id, "confirmed")]
    assert not flow.session_open
    window.close()
    assert QThreadPool.globalInstance().waitForDone(10_000)

    answer = httpx.get(f"{info['control_url']}/members/{accepted.id}/credentials", timeout=10)
    assert answer.status_code == 200, answer.text
    credentials = answer.json()
    bw.ca_file = Path(info["ca_file"])
    bw.log_in(info["bw_server_url"], credentials["email"], credentials["master_password"])
    bw.run("sync")
    org = info["organization_id"]
    collections = bw.run("list", "org-collections", "--organizationid", org).json()
    names = [c["name"] for c in collections]
    assert info["collection_name"] in names
    assert bw.run("get", "fingerprint", "me").stdout.strip() == shown_phrase
