"""A second profile for an organization that already has one: the Save page warns."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.core.profiles import SetupStep
from app.gui.context import AppContext
from app.gui.demo import Demo
from app.gui.widgets.messages import Tone
from app.gui.wizard.save import SavePage
from tests.gui.test_wizard_failures import store_profile, walk_to_save


def test_the_save_page_warns_of_a_second_profile_for_one_organization(
    qtbot: QtBot, admin_context: AppContext, demo: Demo
) -> None:
    info = demo.ctx.sandbox_info
    assert info is not None
    store_profile(admin_context, "Acme", info["scim_url"], info["scim_key"], SetupStep.DONE)
    wizard = walk_to_save(qtbot, admin_context, info)
    save = wizard.currentPage()
    assert isinstance(save, SavePage)
    assert save.name.text() != "Acme"
    assert save.name_message.tone is Tone.WARNING
    assert "“Acme” is for the same organization" in save.name_message.plain
    save.name.setText("Acme")  # updating that profile instead: no twin any more
    assert "same organization" not in save.name_message.plain
