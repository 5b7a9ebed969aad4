"""`SetupWizard`: the QWizard holding the pages, in Bitwarden's documented order.

Page ids are the positions of the `SetupStep`s, so a profile's saved step is also the page to resume
at. Once the profile exists (after the Save page), every page change is recorded with
`ProfileStore.set_step`; reopening an unfinished setup walks to that page again (pages start
nothing while the wizard walks), so Back still leads through the earlier pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget, QWizard

from app.core.profiles import SetupStep
from app.gui.widgets.copy_button import CopyButton
from app.gui.wizard.assignments import AssignmentsPage
from app.gui.wizard.base import SetupPage
from app.gui.wizard.check import CheckPage
from app.gui.wizard.enable_scim import EnableScimPage
from app.gui.wizard.finish import FinishPage
from app.gui.wizard.okta_api import OktaApiPage
from app.gui.wizard.okta_app import OktaAppPage
from app.gui.wizard.okta_to_app import OktaToAppPage
from app.gui.wizard.public_api import PublicApiPage
from app.gui.wizard.save import SavePage
from app.gui.wizard.self_hosted import SelfHostedPage
from app.gui.wizard.state import SetupState
from app.gui.wizard.welcome import WelcomePage

if TYPE_CHECKING:
    from app.core.secrets import ProfileSecrets
    from app.gui.context import AppContext
    from app.gui.demo import Demo

#: The pages in order; a page's id is its step's position in `SetupStep`.
PAGE_CLASSES: tuple[type[SetupPage], ...] = (
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
STEPS: tuple[SetupStep, ...] = tuple(SetupStep)


def page_id(step: SetupStep) -> int:
    return STEPS.index(step)


class SetupWizard(QWizard):
    """The setup wizard; `members_requested(profile_name)` asks for the members window."""

    members_requested = Signal(str)
    #: Emitted when resuming could not read the saved secrets (the message is plain text).
    resume_failed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        *,
        demo: Demo | None = None,
        profile_name: str | None = None,
        resume: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.demo = demo
        self.state = SetupState()
        self.resuming = False
        self._active: SetupPage | None = None
        self.setWindowTitle(self.tr("Set up SCIM provisioning with Okta"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButton, False)  # macOS hides it by default
        self.setMinimumSize(640, 520)
        self.resize(860, 680)
        for step, page_class in zip(STEPS, PAGE_CLASSES, strict=False):
            assert page_class.step is step, (page_class, step)
            self.setPage(page_id(step), page_class(ctx, self.state, self))
        self.currentIdChanged.connect(self._on_page_changed)
        if profile_name is not None:
            self._prefill(profile_name, resume)

    # -- pages -------------------------------------------------------------------------------------
    def setup_page(self, step: SetupStep) -> SetupPage:
        page = self.page(page_id(step))
        assert isinstance(page, SetupPage)
        return page

    def welcome_page(self) -> WelcomePage:
        page = self.page(page_id(SetupStep.WELCOME))
        assert isinstance(page, WelcomePage)
        return page

    def current_step(self) -> SetupStep | None:
        current = self.currentId()
        return STEPS[current] if 0 <= current < len(PAGE_CLASSES) else None

    def _on_page_changed(self, current: int) -> None:
        if self._active is not None:
            self._active.deactivate()
        page = self.page(current)
        self._active = page if isinstance(page, SetupPage) else None
        if self.resuming or self._active is None:
            return
        self.record_step(self._active.step)
        self._active.activate()

    def record_step(self, step: SetupStep) -> None:
        """Remember where the admin is, once the profile exists."""
        if self.state.profile_stored and self.state.profile_name:
            self.ctx.profiles.set_step(self.state.profile_name, step)

    def done(self, result: int) -> None:  # Qt override: Finish, Cancel, Escape, window close
        if self._active is not None:
            self._active.deactivate()
            self._active = None
        for button in self.findChildren(CopyButton):
            button.flush()
        super().done(result)

    def open_url(self, url: str) -> None:
        """Open a console or help page in the browser (the demo has no console to open)."""
        if self.ctx.demo:
            return
        QDesktopServices.openUrl(QUrl(url))

    # -- resume and restart --------------------------------------------------------------------
    def _prefill(self, profile_name: str, resume: bool) -> None:
        profile = self.ctx.profiles.get(profile_name)
        if profile is None:
            return
        self.state.profile_name = profile.name
        self.state.deployment = profile.deployment
        self.state.server_url = profile.server_url
        self.state.profile_stored = True
        target = profile.setup_step if resume else SetupStep.WELCOME
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

    def walk_to(self, target: SetupStep) -> None:
        """Go forward to `target` through the pages (as Next would), starting nothing on the way."""
        if target is SetupStep.DONE:
            target = SetupStep.FINISH
        wanted = page_id(target)
        self.resuming = True
        try:
            guard = len(PAGE_CLASSES)
            while self.currentId() not in (wanted, -1) and guard > 0:
                guard -= 1
                if self.nextId() == wanted:
                    self.resuming = False
                self.next()
        finally:
            self.resuming = False
