"""The assignments page watches groups arrive as it watches users (the demo plays Okta).

Okta's Push Groups goes through the sandbox's SCIM endpoint (POST /Groups, then PATCH members);
with only the SCIM key the page names the groups and says why it cannot count their members; with
the Public API key (a rerun of a saved profile) it counts them.
"""

from __future__ import annotations

from pydantic import SecretStr
from pytestqt.qtbot import QtBot

from app.gui.demo import Demo
from app.gui.wizard.wizard import SetupWizard
from tests.gui.conftest import WAIT_MS, next_to_save, save_to_assignments, tick
from tests.unit.test_cli_groups import push_group


def test_the_assignments_page_reports_the_groups_okta_pushed(qtbot: QtBot, demo: Demo) -> None:
    assert demo.sandbox is not None
    wizard = SetupWizard(demo.ctx, demo=demo)
    qtbot.addWidget(wizard)
    wizard.show()
    save = next_to_save(qtbot, wizard)
    qtbot.waitUntil(lambda: "In-memory keyring" in save.keyring.plain, timeout=WAIT_MS)
    page = save_to_assignments(qtbot, wizard, save)
    qtbot.waitUntil(lambda: page._group_baseline is not None, timeout=WAIT_MS)
    assert not page.groups_status.isVisible()  # the seeded groups were there before
    tick(page.assigned)  # the demo plays Okta: people, then the 'Platform Team' group
    qtbot.waitUntil(lambda: "Platform Team" in page.groups_status.plain, timeout=WAIT_MS)
    assert page.groups_status.plain.startswith("Okta has pushed 1 group: Platform Team")
    assert "Public API key" in page.groups_status.plain  # only the SCIM key so far: no counts

    # With the Public API key (as on a rerun of a saved profile), the counts appear.
    info = demo.sandbox.info
    wizard.state.client_id = info["client_id"]
    wizard.state.client_secret = SecretStr(info["client_secret"])
    members = [m.id for m in list(demo.sandbox.state.members.values())[:4]]
    push_group(demo.sandbox, "Sales", "00gSALESX", members)
    page.poll_now()
    qtbot.waitUntil(lambda: "Sales (4)" in page.groups_status.plain, timeout=WAIT_MS)
    assert page.groups_status.plain.startswith("Okta has pushed 2 groups: Platform Team (")
    assert "Public API key" not in page.groups_status.plain
