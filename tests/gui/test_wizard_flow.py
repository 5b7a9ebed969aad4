"""The wizard end to end against a live sandbox, driven as an admin drives it."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.wizard.assignments import AssignmentsPage
from app.gui.wizard.check import CheckPage
from app.gui.wizard.enable_scim import EnableScimPage
from app.gui.wizard.okta_api import OktaApiPage
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.okta_to_app import OktaToAppPage
from app.gui.wizard.public_api import PublicApiPage
from app.gui.wizard.save import SavePage
from app.gui.wizard.self_hosted import SelfHostedPage
from app.gui.wizard.welcome import WelcomePage
from app.gui.wizard.wizard import SetupWizard
from app.sandbox.okta import scim_push as okta_emulator
from tests.gui.conftest import WAIT_MS, click, tick, type_text


def next_page(qtbot: QtBot, wizard: SetupWizard, expected: SetupStep) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.current_step() is expected


def open_wizard(qtbot: QtBot, ctx: AppContext, demo: Demo | None = None) -> SetupWizard:
    wizard = SetupWizard(ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def test_an_admin_goes_through_every_page(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    server = info["api_url"].removesuffix("/api")
    wizard = open_wizard(qtbot, admin_context)
    nxt = wizard.button(QWizard.WizardButton.NextButton)

    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    assert not nxt.isEnabled()  # nothing chosen yet
    tick(welcome.radio_self)
    assert not nxt.isEnabled()  # a self-hosted server needs its address
    type_text(welcome.server, server)
    next_page(qtbot, wizard, SetupStep.SELF_HOSTED)

    self_hosted = wizard.currentPage()
    assert isinstance(self_hosted, SelfHostedPage)
    qtbot.waitUntil(nxt.isEnabled, timeout=WAIT_MS)  # /scim/alive answered with a date
    assert self_hosted.result.tone.name == "OK"
    next_page(qtbot, wizard, SetupStep.ENABLE_SCIM)

    enable = wizard.currentPage()
    assert isinstance(enable, EnableScimPage)
    type_text(enable.url, info["scim_url"] + "/Users")  # a common paste mistake
    assert "Users" in enable.url_message.plain  # warned, and fixed
    assert not nxt.isEnabled()
    type_text(enable.key.edit, "Bearer " + info["scim_key"])
    assert "Bearer" in enable.key_message.plain
    assert enable.key.edit.echoMode() == enable.key.edit.EchoMode.Password
    next_page(qtbot, wizard, SetupStep.SAVE)

    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    qtbot.waitUntil(lambda: save.keyring.isVisible() and "saved in" in save.keyring.plain)
    save.name.clear()
    type_text(save.name, "Acme")
    assert not nxt.isEnabled()
    click(qtbot, save.save_button)
    qtbot.waitUntil(nxt.isEnabled, timeout=WAIT_MS)
    stored = admin_context.profiles.get("Acme")
    assert stored is not None
    saved = admin_context.secrets.load("Acme")
    assert saved is not None
    assert saved.scim_key.get_secret_value() == info["scim_key"]  # cleaned of "Bearer "
    assert saved.scim_url == info["scim_url"]  # cleaned of "/Users"
    next_page(qtbot, wizard, SetupStep.TEST)

    check = wizard.currentPage()
    assert isinstance(check, CheckPage)
    assert "Bearer ***" in check.request.toPlainText()
    assert info["scim_key"] not in check.request.toPlainText()
    qtbot.waitUntil(nxt.isEnabled, timeout=WAIT_MS)
    # The sandbox answers on http://127.0.0.1: as Okta needs, but Okta's cloud cannot reach it.
    assert check.result.tone.name == "WARNING"
    assert check.result.plain.startswith(
        "The endpoint answers as Okta needs, but Okta cannot reach this address from its cloud."
    )
    assert "would succeed" not in check.result.plain
    # Said once, then what Bitwarden answered (the core's sentence repeated it word for word).
    assert check.result.plain.count("Okta cannot reach this address") == 1
    assert "Bitwarden answered 200 with a SCIM user list" in check.result.plain
    assert admin_context.profiles.get("Acme").setup_step is SetupStep.TEST  # type: ignore[union-attr]
    next_page(qtbot, wizard, SetupStep.OKTA_APP)

    okta_app = wizard.currentPage()
    assert isinstance(okta_app, OktaAppPage)
    for box in okta_app.checklist.boxes:
        assert not nxt.isEnabled()
        tick(box)
    next_page(qtbot, wizard, SetupStep.OKTA_API)

    okta_api = wizard.currentPage()
    assert isinstance(okta_api, OktaApiPage)
    assert okta_api.base_url.text() == info["scim_url"]
    tick(okta_api.done_box)
    next_page(qtbot, wizard, SetupStep.OKTA_TO_APP)

    to_app = wizard.currentPage()
    assert isinstance(to_app, OktaToAppPage)
    assert not nxt.isEnabled()
    tick(to_app.done_box)
    next_page(qtbot, wizard, SetupStep.ASSIGNMENTS)

    assignments = wizard.currentPage()
    assert isinstance(assignments, AssignmentsPage)
    qtbot.waitUntil(lambda: "no user from Okta yet" in assignments.status.plain, timeout=WAIT_MS)
    assert not nxt.isEnabled()
    tick(assignments.assigned)
    # Okta pushes two people, from its own thread, as it would from its cloud.
    people = list(okta_emulator.DEMO_PEOPLE[:2])
    okta = threading.Thread(
        target=okta_emulator.provision_users, args=(info["scim_url"], info["scim_key"], people)
    )
    okta.start()
    okta.join(WAIT_MS / 1000)
    assignments.poll_now()
    qtbot.waitUntil(lambda: len(wizard.state.provisioned) == 2, timeout=WAIT_MS)
    assert "Okta has provisioned 2 users" in assignments.status.plain
    next_page(qtbot, wizard, SetupStep.PUBLIC_API)

    public_api = wizard.currentPage()
    assert isinstance(public_api, PublicApiPage)
    assert not nxt.isEnabled()
    type_text(public_api.client_id, info["client_id"])
    type_text(public_api.client_secret.edit, info["client_secret"])
    click(qtbot, public_api.verify_button)
    qtbot.waitUntil(nxt.isEnabled, timeout=WAIT_MS)
    with_api = admin_context.secrets.load("Acme")
    assert with_api is not None
    assert with_api.client_id == info["client_id"]
    next_page(qtbot, wizard, SetupStep.FINISH)

    summary = wizard.currentPage().summary.text()  # type: ignore[attr-defined]
    assert "passed" not in summary
    assert "Okta cannot reach this address from its cloud" in summary
    assert "loopback" in summary  # the reason, not dropped
    with qtbot.waitSignal(wizard.members_requested, timeout=WAIT_MS) as requested:
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert requested.args == ["Acme"]
    assert admin_context.profiles.get("Acme").setup_step is SetupStep.DONE  # type: ignore[union-attr]
    assert not wizard.isVisible()
