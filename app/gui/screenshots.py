"""`scim-assistant screenshots OUTDIR`: every wizard page and the members window as PNG files.

The demo is walked by the smoke test's driver; each page is captured (`widget.grab()`) when it has
settled, that is with the result a person would see just before pressing Next.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QWidget

from app.gui.application import MainThreadGarbageCollector, create_application
from app.gui.launch import SMOKE_TIMEOUT_S, open_members, shutdown

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.wizard.wizard import SetupWizard

#: The size the README's pictures are taken at (logical pixels).
WIZARD_SIZE = (860, 680)
MEMBERS_SIZE = (1100, 640)


def render_all(outdir: str) -> int:
    """Walk the demo, saving one PNG per page; 0 when every page was captured."""
    create_application()
    from app.gui.demo import (
        Demo,
        create_demo_context,
        isolate_settings,
        seed_demo_history,
        start_sandbox,
    )
    from app.gui.smoke import SmokeTest
    from app.gui.wizard.steps import PAGE_COUNT
    from app.gui.wizard.wizard import SetupWizard

    isolate_settings()
    target = Path(outdir)
    target.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    ctx = create_demo_context(Path(tempfile.mkdtemp(prefix="scim-assistant-shots-")))
    demo = Demo.running(ctx, start_sandbox(seed=1))
    assert demo.sandbox is not None
    seed_demo_history(
        ctx, demo.sandbox
    )  # as the interactive demo: expiring and expired invitations
    wizard = SetupWizard(ctx, demo=demo)
    wizard.resize(*WIZARD_SIZE)
    wizard.members_requested.connect(lambda name: _open_members_sized(ctx, name))
    wizard.show()
    written: list[Path] = []

    def capture(name: str, widget: QWidget) -> None:
        app.processEvents()  # let the last change paint
        path = target / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise OSError(f"cannot write {path}")
        written.append(path)

    def capture_all(name: str, widget: QWidget) -> None:
        capture(name, widget)
        if name == "06-okta_app":
            capture_service_app(capture, wizard, ctx)
        if name == "12-members":
            _capture_expired(capture, widget)

    smoke = SmokeTest(ctx, wizard, demo, capture=capture_all, parent=app)
    codes: list[int] = []

    def finished(code: int) -> None:
        codes.append(code)
        app.exit(code)

    smoke.finished.connect(finished)
    smoke.start(timeout_s=SMOKE_TIMEOUT_S)
    collector = MainThreadGarbageCollector(app)
    collector.start()
    app.exec()
    shutdown(ctx, demo)
    collector.stop()
    # Every wizard page, the Okta page with a service app, the members window, the confirm's
    # login, the fingerprints, the outcome, the expired invitations with one member's details.
    expected = PAGE_COUNT + 6
    for path in written:
        print(path)
    if codes != [0] or len(written) < expected:
        sys.stderr.write(f"screenshots: wrote {len(written)} of {expected} pictures\n")
        return 1
    return 0


def _open_members_sized(ctx: AppContext, name: str) -> None:
    window = open_members(ctx, name)
    window.resize(*MEMBERS_SIZE)


def capture_service_app(
    capture: Callable[[str, QWidget], None], wizard: SetupWizard, ctx: AppContext
) -> None:
    """The Okta page with "Service app (OAuth)" chosen as an admin fills it in (the key pasted,
    so it reads as one and leaves the box) and checked in Okta with it; then the API token again,
    as the demo goes on with it."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QScrollArea

    from app.gui.wizard.okta_app import OktaAppPage

    page = wizard.currentPage()
    info = ctx.sandbox_info
    if not isinstance(page, OktaAppPage) or info is None or "okta_client_id" not in info:
        return
    box = page.connection
    box.service_choice.click()
    box.service.key.insertPlainText(info["okta_private_key_pem"])  # as a paste
    loop, limit = QEventLoop(), QTimer()
    limit.setSingleShot(True)
    limit.timeout.connect(loop.quit)
    page.okta.updated.connect(loop.quit)
    limit.start(20_000)
    page.okta.run()  # read with the service app: the page shows it accepted
    while page.okta.busy and limit.isActive():
        loop.exec()
    limit.stop()
    page.okta.updated.disconnect(loop.quit)
    # The whole page, taller than the others, rather than a scrolled part of it.
    scroll = page.findChild(QScrollArea)
    assert scroll is not None
    size = wizard.size()
    for _ in range(3):  # the wrapped paragraphs settle after a resize or two
        QApplication.processEvents()
        extra = scroll.verticalScrollBar().maximum()
        if not extra:
            break
        wizard.resize(size.width(), wizard.height() + extra)
    capture("06-okta_app-service_app", wizard)
    wizard.resize(size)
    box.token_choice.click()


def _capture_expired(capture: Callable[[str, QWidget], None], widget: QWidget) -> None:
    """The members window on "Expired invitations", the first one's details beside it; then the
    window as it was (the smoke test goes on with it)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from app.gui.members.rows import Column
    from app.gui.members.window import MembersWindow

    if not isinstance(widget, MembersWindow):
        return
    window = widget
    hidden = (Column.ROLE, Column.SCIM, Column.TWO_STEP, Column.GROUPS)
    window.show_expired()
    for column in hidden:
        window.table.setColumnHidden(int(column), True)  # room for the Invitation column
    if window.filter.rowCount():
        loop = QEventLoop()
        window.details_shown.connect(loop.quit)
        QTimer.singleShot(5000, loop.quit)
        window.table.setCurrentIndex(window.filter.index(0, 0))
        loop.exec()
        window.details_shown.disconnect(loop.quit)
    capture("15-members-expired", window)
    for column in hidden:
        window.table.setColumnHidden(int(column), False)
    window.table.clearSelection()
    window.show_status(None)
