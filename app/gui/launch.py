"""The GUI's entry point, called by `app.cli`: `run_gui` (and the windows it opens).

Startup is kept lean so the first wizard page paints about as fast as a bare QWizard: only the
wizard's own modules are imported before `show()`; the demo's sandbox (seeding, binding a port)
starts in a background task after the first paint, and no network call is made on the GUI thread.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from app.gui.application import MainThreadGarbageCollector, create_application, set_icon

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.demo import Demo
    from app.gui.wizard.wizard import SetupWizard

#: The smoke test's bound (interfaces.md: within 60 s).
SMOKE_TIMEOUT_S = 60.0
EXIT_OK = 0
EXIT_FAILED = 1
#: Exit code when the GUI thread hung and the hard watchdog had to end the process.
EXIT_HUNG = 3


def run_gui(demo: bool, smoke_test: bool) -> int:
    """Open the wizard (no profile or an unfinished setup) or the members window; run it."""
    app = create_application(icon=not demo)
    demo_obj: Demo | None = None
    if demo:
        from app.gui.demo import Demo, create_demo_context, isolate_settings

        isolate_settings()
        ctx = create_demo_context()
        demo_obj = Demo(ctx)
        wizard = open_wizard(ctx, demo=demo_obj)
        # After the first paint: seeding the sandbox must not delay it.
        wizard.first_painted.connect(demo_obj.start)
        wizard.first_painted.connect(set_icon)
        window: QWidget = wizard
    else:
        from app.gui import single_instance
        from app.gui.context import AppContext

        # One copy per user (the demo, smoke test and screenshots never take part): a second
        # launch brings the running copy's window forward and ends here.
        guard = single_instance.acquire_or_forward(parent=app)
        if guard is None:
            return EXIT_OK
        guard.activation_requested.connect(lambda: single_instance.bring_to_front())
        ctx = AppContext.for_desktop()
        window = open_start_window(ctx)

    collector = MainThreadGarbageCollector(app)
    collector.start()
    exit_code: list[int] = []
    if smoke_test:
        from app.gui.smoke import SmokeTest

        assert demo_obj is not None  # the CLI allows --smoke-test only with --demo
        smoke = SmokeTest(ctx, window, demo_obj, parent=app)

        def finish(code: int) -> None:
            exit_code.append(code)
            app.exit(code)

        smoke.finished.connect(finish)
        _hard_watchdog(SMOKE_TIMEOUT_S + 15.0)
        smoke.start(timeout_s=SMOKE_TIMEOUT_S)
    code = app.exec()
    shutdown(ctx, demo_obj)
    collector.stop()
    return exit_code[0] if exit_code else code


def open_start_window(ctx: AppContext) -> QWidget:
    """The wizard when there is no profile or the setup is unfinished, else the members window."""
    unfinished = ctx.profiles.unfinished()
    if unfinished is not None:
        return open_wizard(ctx, profile_name=unfinished.name, resume=True)
    profile = ctx.profiles.last_used()
    if profile is None:
        profiles = ctx.profiles.list()
        profile = profiles[0] if profiles else None
    if profile is None:
        return open_wizard(ctx)
    return open_members(ctx, profile.name)


def open_wizard(
    ctx: AppContext,
    *,
    demo: Demo | None = None,
    profile_name: str | None = None,
    resume: bool = False,
    start_at: str | None = None,
    on_members: Callable[[str], object] | None = None,
    keep: bool = False,
) -> SetupWizard:
    """Show the setup wizard; its Finish page opens the members window (or calls `on_members`).

    `start_at` walks a saved profile to that page (the members window's "Public API key…");
    `keep` makes the wizard live until closed when no caller holds it (opened from a menu).
    A wizard already open on `profile_name` is brought forward instead: two wizards editing one
    profile would overwrite each other's keys and progress.
    """
    from PySide6.QtCore import Qt

    from app.gui.wizard.wizard import SetupWizard

    if profile_name:
        for open_one in _open_windows(SetupWizard):
            if open_one.state.profile_name == profile_name:
                _bring_forward(open_one)
                return open_one
    wizard = SetupWizard(
        ctx, demo=demo, profile_name=profile_name, resume=resume, start_at=start_at
    )
    if on_members is not None:
        wizard.members_requested.connect(on_members)
    else:
        wizard.members_requested.connect(lambda name: open_members(ctx, name, demo=demo))
    if keep:
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        _keep_alive(wizard)
    wizard.show()
    return wizard


def open_members(ctx: AppContext, profile_name: str, *, demo: Demo | None = None) -> QWidget:
    """Show the members window for `profile_name` (it lives until closed).

    Its menus open the wizard through this module (the window does not import it: no cycle).
    """
    from PySide6.QtCore import Qt

    from app.gui.members.window import MembersWindow

    for open_one in _open_windows(MembersWindow):
        if open_one.profile_name == profile_name:
            open_one.refresh_now()  # after a wizard, show what it changed
            _bring_forward(open_one)
            return open_one
    opener = partial(open_wizard, ctx, demo=demo, keep=True)
    window = MembersWindow(ctx, profile_name, open_wizard=opener)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _keep_alive(window)
    window.show()
    return window


def shutdown(ctx: AppContext, demo: Demo | None) -> None:
    """Let background calls end (cancelled with their windows), then stop what we started."""
    QThreadPool.globalInstance().waitForDone(5000)
    if demo is not None:
        demo.stop()
    ctx.close()


_windows: list[QWidget] = []
_W = TypeVar("_W", bound=QWidget)


def _keep_alive(window: QWidget) -> None:
    """Top-level windows opened from signals have no Python owner; keep them until closed."""
    _windows.append(window)
    window.destroyed.connect(lambda: _windows.remove(window) if window in _windows else None)


def _open_windows(kind: type[_W]) -> list[_W]:
    """The kept windows of this kind still on screen (a closed one awaits deletion)."""
    return [w for w in _windows if isinstance(w, kind) and w.isVisible()]


def _bring_forward(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()


def _hard_watchdog(seconds: float) -> None:
    """End the process if the GUI thread itself hangs (a QTimer could then never fire)."""

    def expire() -> None:
        sys.stderr.write(f"smoke test: the GUI did not finish within {seconds:.0f} s; aborting\n")
        sys.stderr.flush()
        os._exit(EXIT_HUNG)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
