"""A wrapped message under a form field is as tall as its lines at the width it has: its size
hint was its height at a narrow guessed width (five lines for two), which left a tall gap under a
SCIM URL error and made a failing test page scroll for nothing."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.gui.widgets.messages import MessageLabel, Tone

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

_ERROR = (
    "'not-a-guid' is not a valid organization id. It is a GUID like "
    "8f0e6c1a-1b2c-4d5e-9f00-123456789abc; copy the SCIM URL again from the Admin Console."
)


def test_a_wrapped_message_in_a_form_row_is_as_tall_as_its_lines(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(860, 400)
    outer = QVBoxLayout(window)
    fields = QWidget(window)
    form = QFormLayout(fields)
    message = MessageLabel("SCIM URL check", fields)
    form.addRow("SCIM URL:", QLineEdit(fields))
    form.addRow("", message)
    key = QLineEdit(fields)
    form.addRow("Key:", key)
    outer.addWidget(fields)
    outer.addStretch(1)
    window.show()
    qtbot.waitExposed(window)
    message.show_lines(Tone.ERROR, [_ERROR])
    qtbot.waitUntil(lambda: message.height() == message.heightForWidth(message.width()))
    line = message.fontMetrics().lineSpacing()
    assert message.height() <= 3 * line  # two lines at this width, not five
    # The next field follows right under the message.
    assert key.geometry().top() - message.geometry().bottom() <= 2 * form.verticalSpacing() + 4

    window.resize(420, 400)  # narrower: more lines, and the label grows with them
    qtbot.waitUntil(lambda: message.height() == message.heightForWidth(message.width()))
    assert message.height() > 2 * line
