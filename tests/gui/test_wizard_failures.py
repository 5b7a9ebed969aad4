"""The wizard's failure paths: wrong key, server down, no keyring, cancel, resume, key rotation."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail
from keyring.errors import PasswordSetError
from pydantic import SecretStr
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.core.endpoints import parse_scim_url
from app.core.memory_keyring import MemoryKeyring
from app.core.okta_check import Category
from app.core.profiles import Profile, SetupStep
from app.core.secrets import ProfileSecrets
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.launch import open_start_window
from app.gui.tasks import running_task_count
from app.gui.widgets.messages import Tone
from app.gui.wizard.check import CheckPage
from app.gui.wizard.enable_scim import EnableScimPage
from app.gui.wizard.okta_api import OktaApiPage
from app.gui.wizard.save import SavePage
from app.gui.wizard.welcome import WelcomePage
from app.gui.wizard.wizard import SetupWizard
from tests.fixtures.hostile_server import HostileServer, behaviours, refused_url
from tests.gui.conftest import WAIT_MS, click, tick, type_text

ORG = "8f0e6c1a-1b2c-4d5e-9f00-123456789abc"


def store_profile(ctx: AppContext, name: str, scim_url: str, key: str, step: SetupStep) -> None:
    """A profile as the Save page leaves it, stopped at `step`."""
    endpoints = parse_scim_url(scim_url).endpoints
    assert endpoints is not None
    profile = Profile(
        name=name,
        deployment=endpoints.deployment,
        server_url=endpoints.server_url,
        organization_id=endpoints.organization_id,
        setup_step=step,
    )
    ctx.profiles.save(profile, ProfileSecrets(scim_url=scim_url, scim_key=SecretStr(key)))


def resume(qtbot: QtBot, ctx: AppContext, name: str, step: SetupStep) -> SetupWizard:
    wizard = SetupWizard(ctx, profile_name=name, resume=True)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.current_step() is step, timeout=WAIT_MS)
    return wizard


def finished_check(qtbot: QtBot, page: CheckPage) -> None:
    qtbot.waitUntil(lambda: page.state.check is not None and not page.busy, timeout=WAIT_MS)


def next_button_enabled(wizard: SetupWizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_a_wrong_key_explains_and_keeps_next_disabled_until_fixed(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    store_profile(admin_context, "Acme", info["scim_url"], "A" * 30, SetupStep.TEST)
    wizard = resume(qtbot, admin_context, "Acme", SetupStep.TEST)
    page = wizard.currentPage()
    assert isinstance(page, CheckPage)
    finished_check(qtbot, page)
    assert page.state.check is not None
    assert page.state.check.category is Category.UNAUTHORIZED
    assert page.result.tone is Tone.ERROR
    assert "A" * 30 not in page.result.plain
    assert page.run_button.text() == "&Retry"
    assert not next_button_enabled(wizard)

    # Back to the key, paste the right one: saving again is required, then the test passes.
    click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    enable = wizard.currentPage()
    assert isinstance(enable, EnableScimPage)
    enable.key.edit.clear()
    type_text(enable.key.edit, info["scim_key"])
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    assert not next_button_enabled(wizard)  # the new key is not saved yet
    click(qtbot, save.save_button)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    check = wizard.currentPage()
    assert isinstance(check, CheckPage)
    qtbot.waitUntil(lambda: next_button_enabled(wizard), timeout=WAIT_MS)
    saved = admin_context.secrets.load("Acme")
    assert saved is not None
    assert saved.scim_key.get_secret_value() == info["scim_key"]


def test_a_server_that_is_down_is_explained_and_can_be_retried(
    qtbot: QtBot, admin_context: AppContext
) -> None:
    store_profile(admin_context, "Down", f"{refused_url()}/scim/v2/{ORG}", "B" * 30, SetupStep.TEST)
    wizard = resume(qtbot, admin_context, "Down", SetupStep.TEST)
    page = wizard.currentPage()
    assert isinstance(page, CheckPage)
    finished_check(qtbot, page)
    assert page.state.check is not None
    assert page.state.check.category is Category.CONNECT
    assert page.result.tone is Tone.ERROR
    assert not next_button_enabled(wizard)
    with qtbot.waitSignal(page.completeChanged, timeout=WAIT_MS):
        click(qtbot, page.run_button)  # Retry
    finished_check(qtbot, page)
    assert page.state.check is not None
    assert page.state.check.category is Category.CONNECT
    assert not next_button_enabled(wizard)


def test_cancel_during_the_test_stops_waiting_at_once(
    qtbot: QtBot, admin_context: AppContext, hostile_server: HostileServer
) -> None:
    hostile_server.serve(behaviours.hang())
    url = f"{hostile_server.url}/scim/v2/{ORG}"
    store_profile(admin_context, "Slow", url, "C" * 30, SetupStep.TEST)
    wizard = resume(qtbot, admin_context, "Slow", SetupStep.TEST)
    page = wizard.currentPage()
    assert isinstance(page, CheckPage)
    qtbot.waitUntil(lambda: hostile_server.connections > 0, timeout=WAIT_MS)
    assert page.cancel_button.isVisible()
    assert not next_button_enabled(wizard)
    click(qtbot, page.cancel_button)
    # No waiting: the page is idle the moment Cancel is pressed.
    assert not page.busy
    assert page.result.tone is Tone.WARNING
    assert "cancelled" in page.result.plain
    assert page.run_button.isEnabled()
    assert not next_button_enabled(wizard)
    # And the worker really stops: the core closed its connection.
    qtbot.waitUntil(lambda: running_task_count() == 0, timeout=WAIT_MS)


class RefusingKeyring(MemoryKeyring):
    """A keyring that is there but refuses to store anything (locked, denied by policy)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the keyring refused")


def walk_to_save(qtbot: QtBot, ctx: AppContext, info: dict[str, str]) -> SetupWizard:
    wizard = SetupWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    tick(welcome.radio_self)
    type_text(welcome.server, info["api_url"].removesuffix("/api"))
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    click(qtbot, nxt)  # to the self-hosted check, which passes against the sandbox
    click(qtbot, nxt)
    enable = wizard.currentPage()
    assert isinstance(enable, EnableScimPage)
    type_text(enable.url, info["scim_url"])
    type_text(enable.key.edit, info["scim_key"])
    click(qtbot, nxt)
    assert wizard.current_step() is SetupStep.SAVE
    return wizard


def test_a_keyring_that_refuses_lets_the_admin_go_on_without_saving(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    keyring.set_keyring(RefusingKeyring())  # tests/conftest.py restores the previous one
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard = walk_to_save(qtbot, admin_context, info)
    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    save.name.clear()
    type_text(save.name, "Acme")
    click(qtbot, save.save_button)
    qtbot.waitUntil(lambda: save.result.tone is Tone.ERROR, timeout=WAIT_MS)
    assert save.without_saving.isVisible()
    assert not next_button_enabled(wizard)
    tick(save.without_saving)
    qtbot.waitUntil(lambda: next_button_enabled(wizard), timeout=WAIT_MS)
    # Nothing secret was written anywhere; the session keeps the key; the setup goes on.
    assert admin_context.secrets_for("Acme").scim_key.get_secret_value() == info["scim_key"]
    assert admin_context.profiles.get("Acme") is not None
    assert info["scim_key"] not in admin_context.profiles.path.read_text()
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.current_step() is SetupStep.TEST


def test_no_usable_keyring_is_said_plainly(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard = walk_to_save(qtbot, admin_context, info)
    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    qtbot.waitUntil(lambda: save.keyring.tone is Tone.ERROR, timeout=WAIT_MS)
    assert "No keyring" in save.keyring.plain
    assert not save.save_button.isEnabled()
    assert save.without_saving.isVisible()
    assert not next_button_enabled(wizard)
    tick(save.without_saving)
    qtbot.waitUntil(lambda: next_button_enabled(wizard), timeout=WAIT_MS)


def test_a_keyring_lookup_that_fails_does_not_leave_the_page_waiting(
    qtbot: QtBot, admin_context: AppContext, demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_info() -> object:  # `info()` promises never to raise: this is the unforeseen
        raise RuntimeError("the keyring backend crashed")

    monkeypatch.setattr(admin_context.secrets, "info", broken_info)
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard = walk_to_save(qtbot, admin_context, info)
    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    qtbot.waitUntil(lambda: save.keyring.tone is Tone.ERROR, timeout=WAIT_MS)
    assert "Looking for the keyring" not in save.keyring.plain
    assert "the keyring backend crashed" in save.keyring.plain
    assert save.without_saving.isVisible()
    tick(save.without_saving)
    qtbot.waitUntil(lambda: next_button_enabled(wizard), timeout=WAIT_MS)


def test_closing_and_reopening_resumes_where_the_admin_stopped(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard = walk_to_save(qtbot, admin_context, info)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    click(qtbot, save.save_button)
    click(qtbot, nxt)  # the test passes against the sandbox
    click(qtbot, nxt)
    okta_app = wizard.currentPage()
    for box in okta_app.checklist.boxes:  # type: ignore[attr-defined]
        tick(box)
    click(qtbot, nxt)
    assert wizard.current_step() is SetupStep.OKTA_API
    name = wizard.state.profile_name
    wizard.close()

    profile = admin_context.profiles.get(name)
    assert profile is not None
    assert profile.setup_step is SetupStep.OKTA_API
    reopened = open_start_window(admin_context)  # what `scim-assistant` opens now
    qtbot.addWidget(reopened)
    assert isinstance(reopened, SetupWizard)
    qtbot.waitUntil(lambda: reopened.current_step() is SetupStep.OKTA_API, timeout=WAIT_MS)
    page = reopened.currentPage()
    assert isinstance(page, OktaApiPage)
    assert page.base_url.text() == info["scim_url"]
    assert reopened.state.secrets_saved
    click(qtbot, reopened.button(QWizard.WizardButton.BackButton))
    assert reopened.current_step() is SetupStep.OKTA_APP  # the earlier pages are still there


def test_setting_up_a_profile_again_asks_for_the_new_key(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    store_profile(admin_context, "Acme", info["scim_url"], info["scim_key"], SetupStep.DONE)
    wizard = SetupWizard(admin_context, profile_name="Acme", resume=False)
    qtbot.addWidget(wizard)
    wizard.show()
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    qtbot.waitUntil(lambda: "again" in welcome.notice.plain, timeout=WAIT_MS)
    assert welcome.radio_self.isChecked()
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    enable = wizard.currentPage()
    assert isinstance(enable, EnableScimPage)
    assert enable.url.text() == info["scim_url"]
    assert enable.key.text() == ""  # the rotated key is entered anew
    assert not next_button_enabled(wizard)


def test_the_program_opens_the_wizard_without_a_profile(
    qtbot: QtBot, admin_context: AppContext
) -> None:
    window = open_start_window(admin_context)
    qtbot.addWidget(window)
    assert isinstance(window, SetupWizard)
    assert window.current_step() is SetupStep.WELCOME
