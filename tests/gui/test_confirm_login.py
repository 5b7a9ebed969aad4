"""The native confirm's login dialog on its own: what it asks, what it keeps, how it shows text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.gui.members.confirm_login import Known, LoginDialog

#: The offscreen platform (CI) cannot do this window-manager call; harmless there.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

#: The dialogs' parent windows, alive until the end of the test session.
_PARENTS: list[QWidget] = []


def dialog(qtbot: QtBot, known: Known | None = None) -> LoginDialog:
    parent = QWidget()
    _PARENTS.append(parent)
    qtbot.addWidget(parent)
    made = LoginDialog(2, "https://vault.example.com", known or Known(), parent)
    made.show()
    return made


def test_continue_waits_for_what_is_missing_and_the_secrets_are_not_kept(qtbot: QtBot) -> None:
    login = dialog(qtbot, Known(email="admin@example.com"))
    assert login.password.echoMode() is QLineEdit.EchoMode.Password
    assert login.api_key_secret.echoMode() is QLineEdit.EchoMode.Password
    assert not login.continue_button.isEnabled()  # the master password is missing
    login.password.setText("correct horse")
    assert login.continue_button.isEnabled()
    credentials = login.take_credentials()
    assert credentials.email == "admin@example.com"
    assert credentials.api_key is None
    assert credentials.password.get_secret_value() == "correct horse"
    assert login.password.text() == ""  # the widget no longer holds it
    assert "correct horse" not in repr(credentials)


def test_the_api_key_mode_asks_for_the_key_and_offers_to_remember_it(qtbot: QtBot) -> None:
    login = dialog(qtbot)
    login.use_api_key.setChecked(True)
    assert login.api_key_id.isVisible()
    assert login.remember.isVisible()
    assert not login.email.isVisible()
    login.api_key_id.setText("user.1234")
    login.api_key_secret.setText("s3cret")
    login.password.setText("pw")
    login.remember.setChecked(True)
    credentials = login.take_credentials()
    assert credentials.api_key is not None
    assert credentials.api_key[0] == "user.1234"
    assert credentials.api_key[1].get_secret_value() == "s3cret"
    assert credentials.remember_api_key
    assert login.api_key_secret.text() == ""


def test_a_saved_api_key_needs_only_the_master_password(qtbot: QtBot) -> None:
    login = dialog(qtbot, Known(api_key_id="user.1234", has_saved_api_key=True))
    assert login.uses_api_key()
    assert login.remember.isChecked()
    login.password.setText("pw")
    assert login.continue_button.isEnabled()  # the secret field may stay empty


def test_the_code_step_and_busy_state(qtbot: QtBot) -> None:
    login = dialog(qtbot, Known(email="admin@example.com"))
    login.ask_code("Bitwarden asks for a two-step login code.", can_resend=True)
    assert login.asking_code
    assert login.code.isVisible()
    assert login.resend_button.isVisible()
    assert not login.password.isVisible()
    assert not login.continue_button.isEnabled()
    login.code.setText("123 456")
    assert login.take_code() == "123 456"
    login.set_busy("Logging in…")
    assert login.busy
    assert login.busy_bar.isVisible()
    assert not login.code.isEnabled()
    assert not login.continue_button.isEnabled()
    assert login.buttons.button(login.buttons.StandardButton.Cancel).isEnabled()  # Cancel stays


def test_server_text_is_shown_as_plain_text(qtbot: QtBot) -> None:
    login = dialog(qtbot, Known(email="admin@example.com"))
    hostile = '<img src="file:///etc/passwd"><b>Wrong</b>'
    login.show_error(hostile)
    assert login.error.textFormat() is Qt.TextFormat.PlainText
    assert login.error.text() == hostile
    login.ask_code(hostile, can_resend=False)
    assert login.code_label.textFormat() is Qt.TextFormat.PlainText
