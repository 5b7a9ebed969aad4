"""A server's own words on the wizard's Test page are shown as plain text (issue 12, finding 3).

A malicious (or compromised) SCIM endpoint answers the check with an error whose `detail` holds
markup, an image pointing at a local file, a right-to-left override and a fake second line. The
page is rendered offscreen: the characters are shown as sent, on one line, and the file is not read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import Qt, QTextDocument
from pytestqt.qtbot import QtBot

from app.core.okta_check import Category
from app.core.profiles import SetupStep
from app.gui.context import AppContext
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.wizard.check import CheckPage
from tests.fixtures.hostile_server import HostileServer, behaviours
from tests.gui.test_wizard_failures import ORG, finished_check, resume, store_profile

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def rendered(label: MessageLabel) -> str:
    """What the label shows a person, as Qt reads its text (AutoText guesses rich text)."""
    text = label.text()
    if label.textFormat() == Qt.TextFormat.PlainText or not Qt.mightBeRichText(text):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def test_a_servers_markup_is_shown_as_its_characters_and_reads_no_file(
    qtbot: QtBot, admin_context: AppContext, hostile_server: HostileServer, tmp_path: Path
) -> None:
    watched = tmp_path / "private.png"
    watched.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    os.utime(watched, (1_000_000_000, 2_000_000_000))
    detail = f'<img src="file://{watched}"><b>Renew</b> at \u202eevil\nSecond line'
    hostile_server.serve(
        behaviours.json(
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "detail": detail,
                "status": "500",
            },
            status=500,
        )
    )
    store_profile(
        admin_context, "Evil", f"{hostile_server.url}/scim/v2/{ORG}", "D" * 30, SetupStep.TEST
    )
    wizard = resume(qtbot, admin_context, "Evil", SetupStep.TEST)
    page = wizard.currentPage()
    assert isinstance(page, CheckPage)
    finished_check(qtbot, page)
    assert page.state.check is not None
    assert page.state.check.category is Category.SERVER_ERROR
    assert page.result.tone is Tone.ERROR
    shown = rendered(page.result)
    assert "<b>Renew</b>" in shown  # the characters, not bold
    assert f'<img src="file://{watched}">' in shown
    assert "\u202e" not in shown
    assert "evil Second line" in shown  # the fake line break folded into the one line
    wizard.grab()
    assert os.stat(watched).st_atime == 1_000_000_000


@pytest.mark.parametrize("tone", [Tone.NEUTRAL, Tone.INFO, Tone.ERROR])
def test_a_message_in_any_tone_shows_outside_text_as_its_characters(
    qtbot: QtBot, tmp_path: Path, tone: Tone
) -> None:
    watched = tmp_path / "private.png"
    watched.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    os.utime(watched, (1_000_000_000, 2_000_000_000))
    label = MessageLabel("Result")
    qtbot.addWidget(label)
    server_says = f'<img src="file://{watched}"><i>x</i> & \u202eevil\x1b[31m'
    label.show_lines(tone, [f"The server said: {server_says}", "second\nthird"])
    label.show()
    label.grab()
    shown = rendered(label)
    assert f'<img src="file://{watched}"><i>x</i> & ' in shown
    assert "\u202e" not in shown
    assert "\x1b" not in shown
    assert shown.splitlines()[-2:] == ["second", "third"]
    assert os.stat(watched).st_atime == 1_000_000_000
