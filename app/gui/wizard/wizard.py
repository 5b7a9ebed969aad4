"""`SetupWizard`: the QWizard holding the pages, in Bitwarden's documented order.

Page ids are the positions of the `SetupStep`s, so a profile's saved step is also the page to resume
at. Once the profile exists (after the Save page), every page change is recorded with
`ProfileStore.set_step`; reopening an unfinished setup walks to that page again (pages start
nothing while the wizard walks), so Back still leads through the earlier pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget, QWizard

from app.gui.widgets.text import finish_text_setup
from app.gui.wizard.base import SetupPage
from app.gui.wizard.state import SetupState
from app.gui.wizard.steps import PAGE_COUNT, STEP_VALUES, page_id
from app.gui.wizard.welcome import WelcomePage

if TYPE_CHECKING:
    from app.core.profiles import SetupStep
    from app.core.secrets import ProfileSecrets
    from app.gui.context import AppContext
    from app.gui.demo import Demo


def page_classes() -> tuple[type[SetupPage], ...]:
    """The pages in order (imported on first use: they need the core)."""
    from app.gui.wizard.assignments import AssignmentsPage
    from app.gui.wizard.check import CheckPage
    from app.gui.wizard.enable_scim import EnableScimPage
    from app.gui.wizard.finish import FinishPage
    from app.gui.wizard.okta_api import OktaApiPage
    from app.gui.wizard.okta_app import OktaAppPage
    from app.gui.wizard.okta_to_app import OktaToAppPage
    from app.gui.wizard.public_api import PublicApiPage
    from app.gui.wizard.save import SavePage
    from app.gui.wizard.self_hosted import SelfHostedPage

    return (
        WelcomePage,
        SelfHostedPage,
        EnableScimPage,
        SavePage,
        CheckPage,
        OktaAppPage,
        OktaApiPage,
        OktaToAppPage,
        AssignmentsPage,
        PublicApiPage,
        FinishPage,
    )


class SetupWizard(QWizard):
    """The setup wizard; `members_requested(profile_name)` asks for the members window."""

    members_requested = Signal(str)
    #: Emitted when resuming could not read the saved secrets (the message is plain text).
    resume_failed = Signal(str)
    #: The first page has painted: slower work (the demo's sandbox, the other pages) may start.
    first_painted = Signal()

    def __init__(
        self,
        ctx: AppContext,
        *,
        demo: Demo | None = None,
        profile_name: str | None = None,
        resume: bool = False,
        start_at: SetupStep | str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.demo = demo
        self.state = SetupState()
        self.resuming = False
        self._active: SetupPage | None = None
        self._painted = False
        self.setWindowTitle(self.tr("Set up SCIM provisioning with Okta"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButton, False)  # macOS hides it by default
        self.setMinimumSize(640, 520)
        self.resize(860, 680)
        # Only the first page now; the others (and the core they import) after the first paint.
        welcome = WelcomePage(ctx, self.state, self)
        self.setPage(0, welcome)
        self.currentIdChanged.connect(self._on_page_changed)
        # Watch one always-visible label, not the whole application: an application-wide filter
        # would wrap every internal Qt object in Python, which costs more than the page itself.
        self._paint_watch = _FirstPaint(self)
        welcome.intro.installEventFilter(self._paint_watch)
        if profile_name is not None:
            self.ensure_pages()
            self._prefill(profile_name, resume, start_at)

    def ensure_pages(self) -> None:
        """Add the pages after the first (idempotent)."""
        if self.page(1) is not None:
            return
        for number, page_class in enumerate(page_classes()[1:], start=1):
            assert page_id(page_class.step) == number, (page_class, number)
            self.setPage(number, page_class(self.ctx, self.state, self))

    def _painted_once(self) -> None:
        if self._painted:
            return
        self._painted = True
        self.welcome_page().intro.removeEventFilter(self._paint_watch)
        QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        finish_text_setup(self)
        self.ensure_pages()
        self.first_painted.emit()

    # -- pages -------------------------------------------------------------------------------------
    def welcome_page(self) -> WelcomePage:
        page = self.page(page_id("welcome"))
        assert isinstance(page, WelcomePage)
        return page

    def current_step(self) -> SetupStep | None:
        from app.core.profiles import SetupStep

        current = self.currentId()
        return SetupStep(STEP_VALUES[current]) if 0 <= current < PAGE_COUNT else None

    def _on_page_changed(self, current: int) -> None:
        if self._active is not None:
            self._active.deactivate()
        page = self.page(current)
        self._active = page if isinstance(page, SetupPage) else None
        if self.resuming or self._active is None:
            return
        self.record_step(self._active.step)
        self._active.activate()

    def record_step(self, step: SetupStep | str) -> None:
        """Remember where the admin is, once the profile exists."""
        if self.state.profile_stored and self.state.profile_name:
            from app.core.profiles import SetupStep

            self.ctx.profiles.set_step(self.state.profile_name, SetupStep(str(step)))

    def done(self, result: int) -> None:  # Qt override: Finish, Cancel, Escape, window close
        if self._active is not None:
            self._active.deactivate()
            self._active = None
        from app.gui.widgets.copy_button import CopyButton

        for button in self.findChildren(CopyButton):
            button.flush()
        super().done(result)

    def open_url(self, url: str) -> None:
        """Open a console or help page in the browser (the demo has no console to open)."""
        if self.ctx.demo:
            return
        QDesktopServices.openUrl(QUrl(url))

    # -- resume and restart --------------------------------------------------------------------
    def _prefill(
        self, profile_name: str, resume: bool, start_at: SetupStep | str | None = None
    ) -> None:
        """Load a saved profile; `start_at` walks to that page keeping the saved secrets."""
        from pathlib import Path

        from app.core.profiles import SetupStep

        profile = self.ctx.profiles.get(profile_name)
        if profile is None:
            return
        self.state.profile_name = profile.name
        self.state.deployment = profile.deployment
        self.state.server_url = profile.server_url
        self.state.ca_file = Path(profile.ca_file) if profile.ca_file else None
        self.state.profile_stored = True
        if start_at is not None:
            resume = True
        target = (
            SetupStep(str(start_at))
            if start_at is not None
            else (profile.setup_step if resume else SetupStep.WELCOME)
        )
        welcome = self.welcome_page()
        welcome.show_notice(self.tr("Reading the saved settings of “{0}”…").format(profile.name))
        welcome.start(
            lambda _control: self.ctx.secrets_for(profile.name),
            on_success=lambda secrets: self._resume(secrets, target, resume),
            on_failure=lambda exc: self._resume_failed(str(exc)),
        )

    def _resume(self, secrets: ProfileSecrets, target: SetupStep, resume: bool) -> None:
        self.state.load(secrets)
        self.state.secrets_saved = True
        welcome = self.welcome_page()
        if not resume:  # a restart, e.g. after rotating the key: the new key is entered again
            self.state.scim_key = None
            welcome.show_notice(
                self.tr(
                    "Setting up “{0}” again. Enter the new SCIM API key when asked; "
                    "the profile is updated when you save it."
                ).format(self.state.profile_name)
            )
            return
        welcome.show_notice("")
        # Not from inside the task's signal: walking deactivates the page that owns the task.
        QTimer.singleShot(0, self, lambda: self.walk_to(target))

    def _resume_failed(self, message: str) -> None:
        self.state.profile_stored = False
        self.welcome_page().show_notice(
            self.tr(
                "The saved settings could not be read: {0} Go through the setup again "
                "to enter them."
            ).format(message)
        )
        self.resume_failed.emit(message)

    def walk_to(self, target: SetupStep | str) -> None:
        """Go forward to `target` through the pages (as Next would), starting nothing on the way."""
        self.ensure_pages()
        wanted = min(page_id(target), PAGE_COUNT - 1)  # `done` shows the Finish page
        self.resuming = True
        try:
            guard = PAGE_COUNT
            while self.currentId() not in (wanted, -1) and guard > 0:
                guard -= 1
                if self.nextId() == wanted:
                    self.resuming = False
                self.next()
        finally:
            self.resuming = False


class _FirstPaint(QObject):
    """Tells the wizard when the watched widget first paints."""

    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard)
        self._wizard = wizard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint:
            self._wizard._painted_once()
        return False
