"""The GUI on a real X display: Qt's xcb platform under a window manager (`.ci/real-display`).

Every other GUI test runs on the offscreen platform, which loads none of the xcb libraries and has
no window manager: a missing `libxcb-*` package or a window that only a window manager mis-places
would pass there. With SCIM_ASSISTANT_REQUIRE_XCB=1 (set by `.ci/real-display`, which CI runs) these
are mandatory and fail on any other platform; elsewhere they run only when the platform is xcb.
"""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.gui.demo import Demo
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS

_REQUIRED = os.environ.get("SCIM_ASSISTANT_REQUIRE_XCB") == "1"


@pytest.fixture(autouse=True)
def _real_display(qapp: QApplication) -> None:
    platform = qapp.platformName()
    if platform != "xcb":
        if _REQUIRED:
            pytest.fail(f"SCIM_ASSISTANT_REQUIRE_XCB=1 but Qt runs on {platform!r}, not 'xcb'")
        pytest.skip("needs a real X display (QT_QPA_PLATFORM=xcb); .ci/real-display runs it")


def test_the_wizard_is_framed_by_a_window_manager_and_fits_the_screen(
    qtbot: QtBot, demo: Demo
) -> None:
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    # A window manager adds a title bar: the frame is taller than the client area.
    qtbot.waitUntil(
        lambda: wizard.frameGeometry().height() > wizard.geometry().height(), timeout=WAIT_MS
    )
    screen = wizard.screen().availableGeometry()
    assert screen.contains(wizard.frameGeometry()), (wizard.frameGeometry(), screen)
    wizard.close()
