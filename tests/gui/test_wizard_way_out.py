"""Errors with a way out: a SCIM URL of another region offers the button that fixes the choice, and
a grey Next always says what is missing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QLabel, QWizard
from pytestqt.qtbot import QtBot

from app.core.endpoints import Deployment
from app.core.profiles import SetupStep
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.wizard.base import SetupPage
from app.gui.wizard.enable_scim import EnableScimPage
from app.gui.wizard.self_hosted import SelfHostedPage
from app.gui.wizard.welcome import WelcomePage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, tick, type_text

#: The offscreen platform cannot do this window-manager call for a dialog; harmless there.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ORG = "8f0e6c1a-1b2c-4d5e-9f00-123456789abc"


def tone(label: MessageLabel) -> Tone:
    return label.tone


def hint(page: SetupPage) -> str:
    label = page.findChild(MessageLabel, "next_hint")
    return label.plain if label is not None and label.isVisibleTo(page) else ""


def test_an_eu_url_with_self_hosted_chosen_offers_to_choose_europe(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.show()
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    tick(welcome.radio_self)
    type_text(welcome.server, info["api_url"].removesuffix("/api"))
    click(qtbot, nxt)
    assert isinstance(wizard.currentPage(), SelfHostedPage)
    click(qtbot, nxt)  # the sandbox answers /scim/alive
    page = wizard.currentPage()
    assert isinstance(page, EnableScimPage)
    assert not page.fix_place.isVisible()

    type_text(page.url, f"https://scim.bitwarden.eu/v2/{ORG}")
    assert page.url_message.tone is Tone.ERROR
    assert page.fix_place.isVisible()
    assert "Europe" in page.fix_place.text()
    assert not nxt.isEnabled()
    click(qtbot, page.fix_place)

    assert wizard.currentPage() is page  # back on the URL, now for Europe
    assert wizard.state.deployment == Deployment.CLOUD_EU
    assert welcome.radio_eu.isChecked()
    assert tone(page.url_message) is not Tone.ERROR
    assert not page.fix_place.isVisible()
    type_text(page.key.edit, "K" * 30)
    assert nxt.isEnabled()
    wizard.back()
    assert wizard.currentPage() is welcome  # the self-hosted page is no longer on the way


def test_a_us_url_with_europe_chosen_offers_the_united_states(
    qtbot: QtBot, admin_context: AppContext
) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.show()
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    tick(welcome.radio_eu)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    page = wizard.currentPage()
    assert isinstance(page, EnableScimPage)
    type_text(page.url, f"https://scim.bitwarden.com/v2/{ORG}")
    assert "United States" in page.fix_place.text()
    click(qtbot, page.fix_place)
    assert wizard.state.deployment == Deployment.CLOUD_US
    assert wizard.currentPage() is page


def test_a_grey_next_says_what_is_missing(qtbot: QtBot, admin_context: AppContext) -> None:
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    assert not nxt.isEnabled()
    assert "Choose where" in hint(welcome)
    tick(welcome.radio_self)
    assert "server's address" in hint(welcome)
    tick(welcome.radio_us)
    assert nxt.isEnabled()
    assert hint(welcome) == ""

    click(qtbot, nxt)
    page = wizard.currentPage()
    assert isinstance(page, EnableScimPage)
    assert not nxt.isEnabled()
    assert "SCIM URL and the SCIM API key" in hint(page)
    type_text(page.url, "https://scim.bitwarden.com/v2/")
    assert "Correct the SCIM URL" in hint(page)
    type_text(page.url, ORG)
    assert "Paste the SCIM API key" in hint(page)
    type_text(page.key.edit, "K" * 29)
    assert "Correct the SCIM API key" in hint(page)
    type_text(page.key.edit, "K")
    assert nxt.isEnabled()
    assert hint(page) == ""


def test_the_401_explanation_is_a_headline_a_list_and_a_link(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    from app.gui.wizard.check import CheckPage
    from tests.gui.test_wizard_failures import resume, store_profile

    info = demo.ctx.sandbox_info
    assert info is not None
    store_profile(admin_context, "Wrong", info["scim_url"], "W" * 30, SetupStep.TEST)
    wizard = resume(qtbot, admin_context, "Wrong", SetupStep.TEST)
    page = wizard.currentPage()
    assert isinstance(page, CheckPage)
    qtbot.waitUntil(lambda: tone(page.result) is Tone.ERROR, timeout=WAIT_MS)
    assert page.result.plain.startswith("Bitwarden refused the key (401 Unauthorized)")
    assert "Likely causes" not in page.result.plain  # the red part is the headline only
    html = page.explanation.text()
    assert page.explanation.isVisibleTo(page)
    assert html.count("<li>") >= 3
    assert "The key is wrong" in html
    console = f"{info['api_url'].removesuffix('/api')}/#/organizations/"
    assert f'<a href="{console}' in html
    assert "How to fix it" in html

    page.run_check()  # a new test clears the old explanation at once
    assert not page.explanation.isVisibleTo(page)
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)


def test_a_link_with_no_browser_offers_the_address_to_copy(
    qtbot: QtBot, admin_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Qt's openUrl fails without a browser (a mock: this machine may have one)."""
    from PySide6.QtGui import QDesktopServices, QGuiApplication

    from app.gui.widgets.browser import AddressDialog

    opened: list[str] = []

    def no_browser(url: QUrl) -> bool:
        opened.append(url.toString())
        return False

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(no_browser))
    wizard = SetupWizard(admin_context)
    qtbot.addWidget(wizard)
    wizard.show()
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    tick(welcome.radio_us)
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    page = wizard.currentPage()
    assert isinstance(page, EnableScimPage)
    click(qtbot, page.console_button)  # "Open the Admin Console"
    assert opened == ["https://vault.bitwarden.com/#/"]
    dialog = wizard.findChild(AddressDialog)
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.address.text() == "https://vault.bitwarden.com/#/"
    assert dialog.address.isReadOnly()
    click(qtbot, dialog.copy_button)
    assert QGuiApplication.clipboard().text() == "https://vault.bitwarden.com/#/"
    dialog.close()

    help_label = next(
        label
        for label in page.findChildren(QLabel)
        if "href=" in label.text() and "bitwarden.com/help" in label.text()
    )
    url = help_label.text().split('href="', 1)[1].split('"', 1)[0]
    help_label.linkActivated.emit(url)  # what a click on the link sends
    assert opened[-1] == url
    dialogs = [d for d in wizard.findChildren(AddressDialog) if d.isVisible()]
    assert [d.address.text() for d in dialogs] == [url]
    QGuiApplication.clipboard().clear()
