"""Results tied to their inputs: a check result never outlives a change of what it checked.

After a pass, each input the check depends on is changed as the admin changes it (the server on the
first page, the SCIM URL and key, the CA file); the page must go back to "not checked" with Next
disabled, never keep the old green result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.demo import Demo
from app.gui.widgets.messages import Tone
from app.gui.wizard.check import CheckPage
from app.gui.wizard.self_hosted import SelfHostedPage
from app.gui.wizard.welcome import WelcomePage
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, click, next_to_save, type_text

#: A loopback port where nothing listens: the check there fails fast.
_NOTHING_LISTENS = "http://127.0.0.1:9"


def _open(qtbot: QtBot, demo: Demo) -> SetupWizard:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def test_a_new_server_address_clears_the_scim_check(qtbot: QtBot, demo: Demo) -> None:
    wizard = _open(qtbot, demo)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    click(qtbot, nxt)
    page = wizard.currentPage()
    assert isinstance(page, SelfHostedPage)
    qtbot.waitUntil(lambda: page.result.tone is Tone.OK, timeout=WAIT_MS)
    passed = page.result.plain

    wizard.back()
    welcome = wizard.currentPage()
    assert isinstance(welcome, WelcomePage)
    welcome.server.clear()
    type_text(welcome.server, _NOTHING_LISTENS)
    click(qtbot, nxt)
    assert wizard.currentPage() is page
    assert page.result.plain != passed
    assert page.result.tone is not Tone.OK
    assert not nxt.isEnabled()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)  # the new check fails
    assert page.result.tone is Tone.ERROR
    assert not nxt.isEnabled()
    wizard.close()


def test_each_input_of_the_okta_test_clears_its_result(
    qtbot: QtBot, demo: Demo, tmp_path: Path
) -> None:
    wizard = _open(qtbot, demo)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    save = next_to_save(qtbot, wizard)
    click(qtbot, save.save_button)
    click(qtbot, nxt)
    page = wizard.currentPage()
    assert isinstance(page, CheckPage)
    qtbot.waitUntil(lambda: wizard.state.check_passed, timeout=WAIT_MS)
    assert nxt.isEnabled()
    state = wizard.state
    original = (state.scim_url, state.scim_key, state.ca_file, state.server_url)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text("not used: the result must go before any connection\n")
    changes: dict[str, Callable[[], None]] = {
        "SCIM URL": lambda: setattr(state, "scim_url", state.scim_url + "0"),
        "key": lambda: setattr(state, "scim_key", SecretStr("Zz9" * 10)),
        "CA file": lambda: setattr(state, "ca_file", ca_file),
        "server": lambda: setattr(state, "server_url", _NOTHING_LISTENS),
    }
    for name, change in changes.items():
        result = state.check
        assert result is not None, name
        assert result.ok, name
        change()
        assert state.check is None, name
        assert not state.check_passed, name
        page.initializePage()  # what the wizard does on coming back to the page
        assert page.result.plain.startswith("Not tested yet"), name
        assert page.warnings.plain == "", name
        assert not nxt.isEnabled(), name
        # Put the input back: the result is again the one for these inputs.
        state.scim_url, state.scim_key, state.ca_file, state.server_url = original
        assert state.check is result, name
    wizard.close()


def test_a_result_that_arrives_after_its_input_changed_is_not_kept(
    qtbot: QtBot, demo: Demo
) -> None:
    wizard = _open(qtbot, demo)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    save = next_to_save(qtbot, wizard)
    click(qtbot, save.save_button)
    click(qtbot, nxt)
    page = wizard.currentPage()
    assert isinstance(page, CheckPage)
    qtbot.waitUntil(lambda: wizard.state.check_passed, timeout=WAIT_MS)
    page.run_check()
    wizard.state.scim_key = SecretStr("Zz9" * 10)  # while the test runs
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)
    assert wizard.state.check is None
    assert page.result.plain.startswith("Not tested yet")
    assert not nxt.isEnabled()
    assert wizard.current_step() is SetupStep.TEST
    wizard.close()


def test_a_new_key_typed_after_a_pass_sends_the_admin_through_save_and_test_again(
    qtbot: QtBot, demo: Demo
) -> None:
    """Back to the key field after a pass, as the admin does: the green results do not follow."""
    from app.gui.wizard.enable_scim import EnableScimPage
    from app.gui.wizard.save import SavePage

    wizard = _open(qtbot, demo)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    save = next_to_save(qtbot, wizard)
    click(qtbot, save.save_button)
    qtbot.waitUntil(lambda: save.result.tone is Tone.OK, timeout=WAIT_MS)
    click(qtbot, nxt)
    page = wizard.currentPage()
    assert isinstance(page, CheckPage)
    qtbot.waitUntil(lambda: wizard.state.check_passed, timeout=WAIT_MS)

    wizard.back()
    wizard.back()
    enable = wizard.currentPage()
    assert isinstance(enable, EnableScimPage)
    enable.key.edit.clear()
    type_text(enable.key.edit, "Zz9" * 10)  # well-formed, but not the organization's key
    click(qtbot, nxt)
    assert wizard.currentPage() is save
    assert isinstance(save, SavePage)
    assert save.result.tone is not Tone.OK
    assert not nxt.isEnabled()  # the new key must be saved first
    click(qtbot, save.save_button)
    click(qtbot, nxt)
    assert wizard.currentPage() is page
    assert not page.result.plain.startswith("✔")
    assert page.result.tone is not Tone.OK
    assert not nxt.isEnabled()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT_MS)
    assert page.result.tone is Tone.ERROR  # the sandbox refuses the wrong key
    assert not nxt.isEnabled()
    wizard.close()


def test_a_new_scim_url_unverifies_the_public_api_key(qtbot: QtBot, demo: Demo) -> None:
    from app.gui.wizard.enable_scim import EnableScimPage

    wizard = _open(qtbot, demo)
    nxt = wizard.button(QWizard.WizardButton.NextButton)
    next_to_save(qtbot, wizard)
    wizard.back()
    enable = wizard.currentPage()
    assert isinstance(enable, EnableScimPage)
    wizard.state.public_api_verified = True  # as after "Verify and save" on the later page
    other_org = enable.url.text().rsplit("/", 1)[0] + "/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12
    enable.url.setText(other_org)
    assert enable.isComplete()
    assert not wizard.state.public_api_verified
    assert nxt.isEnabled()
    wizard.close()
