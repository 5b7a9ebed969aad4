"""A self-hosted server behind a private CA: the wizard's CA file flows to every check and profile.

The server is the sandbox's HTTPS front (a throwaway CA, `Sandbox.info["ca_file"]`), reached over
real TLS on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.core.endpoints import Deployment
from app.core.profiles import Profile, SetupStep
from app.core.secrets import ProfileSecrets
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.members.window import MembersWindow
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.wizard.check import CheckPage
from app.gui.wizard.enable_scim import EnableScimPage
from app.gui.wizard.save import SavePage
from app.gui.wizard.self_hosted import SelfHostedPage
from app.gui.wizard.welcome import WelcomePage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, tick, type_text
from tests.gui.test_wizard_failures import resume, store_profile

#: The offscreen platform (CI) cannot do this window-manager call; harmless there.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def https_info(demo: Demo) -> tuple[str, Path, dict[str, str]]:
    info = demo.ctx.sandbox_info
    assert info is not None
    server = info["bw_server_url"]
    assert server.startswith("https://")
    return server, Path(info["ca_file"]), info


def tone(label: MessageLabel) -> Tone:
    """A label's tone now (a call, so mypy does not carry one assertion's narrowing on)."""
    return label.tone


def enter_ca_file(qtbot: QtBot, page: SelfHostedPage, path: str) -> None:
    """Type the path into the field and press Enter, as an admin who pastes it does."""
    field = page.ca_field.path
    field.clear()
    field.setFocus()
    type_text(field, path)
    QTest.keyClick(field, Qt.Key.Key_Return)


def open_self_hosted_page(qtbot: QtBot, ctx: AppContext, server: str) -> SetupWizard:
    wizard = SetupWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    tick(welcome.radio_self)
    type_text(welcome.server, server)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert isinstance(wizard.currentPage(), SelfHostedPage)
    return wizard


def test_the_alive_check_needs_the_private_ca_and_passes_with_it(
    qtbot: QtBot, admin_context: AppContext, demo: Demo, tmp_path: Path
) -> None:
    server, ca_file, _info = https_info(demo)
    wizard = open_self_hosted_page(qtbot, admin_context, server)
    page = wizard.currentPage()
    assert isinstance(page, SelfHostedPage)
    nxt = wizard.button(QWizard.WizardButton.NextButton)

    # Without the CA file: the TLS category's message, and a pointer to the CA field.
    qtbot.waitUntil(lambda: page.result.tone is Tone.ERROR, timeout=WAIT_MS)
    assert "certificate is not trusted" in page.result.plain
    assert "CA's certificate file above" in page.result.plain
    assert "--ca-file" not in page.result.plain  # the command line's advice, not the GUI's
    assert not nxt.isEnabled()

    # A file that is no certificate: the core's CaFileError message, inline; Next stays off.
    not_a_cert = tmp_path / "notes.txt"
    not_a_cert.write_text("not a certificate\n")
    enter_ca_file(qtbot, page, str(not_a_cert))
    assert tone(page.ca_field.message) is Tone.ERROR
    assert "cannot be used" in page.ca_field.message.plain
    assert wizard.state.ca_file is None
    assert not nxt.isEnabled()
    assert not page.check_button.isEnabled()
    assert "SCIM is switched on" not in page.result.plain

    # The sandbox's CA: the check runs again by itself and passes.
    enter_ca_file(qtbot, page, str(ca_file))
    assert tone(page.ca_field.message) is Tone.OK
    assert page.ca_file() == ca_file  # what the checks use
    qtbot.waitUntil(nxt.isEnabled, timeout=WAIT_MS)
    assert tone(page.result) is Tone.OK
    assert "SCIM is switched on" in page.result.plain

    # Clearing it brings the TLS failure back.
    click(qtbot, page.ca_field.clear_button)
    assert wizard.state.ca_file is None
    qtbot.waitUntil(lambda: page.result.tone is Tone.ERROR, timeout=WAIT_MS)
    assert "certificate is not trusted" in page.result.plain
    assert not nxt.isEnabled()


def test_the_ca_file_is_saved_in_the_profile_and_trusted_by_the_okta_test(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    server, ca_file, info = https_info(demo)
    scim_url = f"{server}/scim/v2/{info['organization_id']}"
    wizard = open_self_hosted_page(qtbot, admin_context, server)
    page = wizard.currentPage()
    assert isinstance(page, SelfHostedPage)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    enter_ca_file(qtbot, page, str(ca_file))
    qtbot.waitUntil(nxt.isEnabled, timeout=WAIT_MS)
    click(qtbot, nxt)

    enable = wizard.currentPage()
    assert isinstance(enable, EnableScimPage)
    type_text(enable.url, scim_url)
    type_text(enable.key.edit, info["scim_key"])
    click(qtbot, nxt)

    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    save.name.clear()
    type_text(save.name, "Private CA")
    click(qtbot, save.save_button)
    qtbot.waitUntil(nxt.isEnabled, timeout=WAIT_MS)
    stored = admin_context.profiles.get("Private CA")
    assert stored is not None
    assert stored.ca_file == str(ca_file)
    assert admin_context.ca_file_for("Private CA") == ca_file
    click(qtbot, nxt)

    check = wizard.currentPage()
    assert isinstance(check, CheckPage)
    qtbot.waitUntil(lambda: wizard.state.check_passed, timeout=WAIT_MS)
    # It answers through the CA file, but Okta trusts public CAs only (and cannot reach
    # 127.0.0.1): the verdict, the page and the core all say so.
    assert check.result.tone is Tone.WARNING
    assert "Okta cannot reach this address from its cloud" in check.result.plain
    assert check.ca_note.isVisible()
    assert str(ca_file) in check.ca_note.plain
    # One warning about the private CA, not two near-identical ones (the note names the file).
    assert "public CA" in check.ca_note.plain
    assert "private CA" not in check.warnings.plain
    assert "public CA" not in check.warnings.plain
    assert wizard.state.check is not None
    assert any("private CA" in w for w in wizard.state.check.okta_blockers)  # still the verdict's


def save_https_profile(ctx: AppContext, demo: Demo, ca_file: Path | None) -> str:
    server, _ca, info = https_info(demo)
    name = "Private CA"
    ctx.profiles.save(
        Profile(
            name=name,
            deployment=Deployment.SELF_HOSTED,
            server_url=server,
            organization_id=info["organization_id"],
            setup_step=SetupStep.DONE,
            has_public_api=True,
            ca_file=str(ca_file) if ca_file is not None else None,
        ),
        ProfileSecrets(
            scim_url=f"{server}/scim/v2/{info['organization_id']}",
            scim_key=SecretStr(info["scim_key"]),
            client_id=info["client_id"],
            client_secret=SecretStr(info["client_secret"]),
        ),
    )
    return name


def test_the_members_window_uses_the_profiles_ca_file(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    _server, ca_file, _info = https_info(demo)
    name = save_https_profile(admin_context, demo, ca_file)
    window = MembersWindow(admin_context, name)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refreshed, timeout=WAIT_MS):
        window.show()
    assert window.model.rowCount() > 0
    assert window.mode == "public_api"


def test_without_the_ca_file_the_members_window_says_the_certificate_is_untrusted(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    name = save_https_profile(admin_context, demo, None)
    window = MembersWindow(admin_context, name)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refresh_failed, timeout=WAIT_MS) as blocker:
        window.show()
    assert "certificate" in str(blocker.args[0])


def test_without_the_ca_file_the_okta_test_points_back_to_the_ca_field(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    server, _ca, info = https_info(demo)
    scim_url = f"{server}/scim/v2/{info['organization_id']}"
    store_profile(admin_context, "Private CA", scim_url, info["scim_key"], SetupStep.TEST)
    wizard = resume(qtbot, admin_context, "Private CA", SetupStep.TEST)
    check = wizard.currentPage()
    assert isinstance(check, CheckPage)
    qtbot.waitUntil(lambda: tone(check.result) is Tone.ERROR, timeout=WAIT_MS)
    assert "certificate is not trusted" in check.result.plain
    assert "Turn on SCIM on your server" in check.result.plain
    assert "--ca-file" not in check.result.plain
    assert not check.ca_note.isVisible()
