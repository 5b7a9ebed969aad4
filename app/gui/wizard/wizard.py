"""`SetupWizard`: the QWizard holding the pages, in Bitwarden's documented order.

Page ids are the positions of the `SetupStep`s, so a profile's saved step is also the page to resume
at. Once the profile exists (after the Save page), every page change is recorded with
`ProfileStore.set_step`; reopening an unfinished setup walks to that page again (pages start
nothing while the wizard walks), so Back still leads through the earlier pages.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard

from app.gui.widgets.text import finish_text_setup
from app.gui.widgets.window_title import fit_message_box
from app.gui.wizard import draft
from app.gui.wizard.base import SetupPage
from app.gui.wizard.state import SetupState
from app.gui.wizard.steps import PAGE_COUNT, STEP_VALUES, page_id
from app.gui.wizard.welcome import WelcomePage

_log = logging.getLogger(__name__)

#: The preference holding a new setup's draft (deployment, server, CA file: nothing secret).
_DRAFT = "new_setup_draft"

if TYPE_CHECKING:
    from app.core.endpoints import Deployment
    from app.core.profiles import SetupStep
    from app.core.secrets import ProfileSecrets
    from app.gui.context import AppContext
    from app.gui.demo import Demo
    from app.gui.demo_faults import OktaFaultMenu


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
        #: Putting saved page fields back: their change handlers must not save them again.
        self._restoring = False
        #: A new setup (no profile yet): its first choices are kept as a draft (see `_keep_draft`).
        self._new_setup = profile_name is None and demo is None
        self.setWindowTitle(self.tr("Set up SCIM provisioning with Okta"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButton, False)  # macOS hides it by default
        self.setMinimumSize(640, 520)
        self.resize(860, 680)
        self._add_menus()
        # Only the first page now; the others (and the core they import) after the first paint.
        welcome = WelcomePage(ctx, self.state, self)
        self.setPage(0, welcome)
        welcome.completeChanged.connect(self.update_next_hint)
        self.currentIdChanged.connect(self._on_page_changed)
        # Watch one always-visible label, not the whole application: an application-wide filter
        # would wrap every internal Qt object in Python, which costs more than the page itself.
        self._paint_watch = _FirstPaint(self)
        welcome.intro.installEventFilter(self._paint_watch)
        if profile_name is not None:
            self.ensure_pages()
            self._prefill(profile_name, resume, start_at)

    def _add_menus(self) -> None:
        """Help → About and Quit (Ctrl+Q), as in the members window's menus: a QWizard has no
        menu bar of its own, so they sit on its Help button (and Ctrl+Q works anywhere)."""
        from PySide6.QtWidgets import QMenu, QPushButton

        from app.gui.widgets.about import about_action, quit_action

        self.quit_action = quit_action(self)
        self.addAction(self.quit_action)  # the shortcut, whatever has the focus
        self.about_action = about_action(self, self.ctx.file_locations)
        self.help_menu = QMenu(self)
        self.help_menu.addAction(self.about_action)
        self.help_menu.addSeparator()
        self.fault_menu: OktaFaultMenu | None = None
        if self.ctx.demo:
            from app.gui.demo_faults import OktaFaultMenu

            self.fault_menu = OktaFaultMenu(self.ctx, self)
            self.fault_menu.seeded.connect(self._check_okta_again)
            self.help_menu.addMenu(self.fault_menu)
            self.help_menu.addSeparator()
        self.help_menu.addAction(self.quit_action)
        self.setOption(QWizard.WizardOption.HaveHelpButton, True)
        help_button = self.button(QWizard.WizardButton.HelpButton)
        assert isinstance(help_button, QPushButton)
        self.setButtonText(QWizard.WizardButton.HelpButton, self.tr("Hel&p"))
        help_button.setAccessibleName(
            self.tr("Help: about this program, seed an Okta fault (demo), quit")
            if self.fault_menu is not None
            else self.tr("Help: about this program, quit")
        )
        help_button.setMenu(self.help_menu)

    def _check_okta_again(self) -> None:
        """After a demo fault: the page on screen checks Okta again, if it is an Okta page."""
        okta = getattr(self.currentPage(), "okta", None)
        if okta is not None:
            okta.run()  # (one running now reads once more when it ends)

    def ensure_pages(self) -> None:
        """Add the pages after the first (idempotent)."""
        if self.page(1) is not None:
            return
        for number, page_class in enumerate(page_classes()[1:], start=1):
            assert page_id(page_class.step) == number, (page_class, number)
            self.setPage(number, page_class(self.ctx, self.state, self))
        draft.watch(self.setup_pages(), self._fields_changed)
        for page in self.setup_pages()[1:]:
            page.completeChanged.connect(self.update_next_hint)

    def setup_pages(self) -> list[SetupPage]:
        """The pages there are so far, in order."""
        pages = (self.page(number) for number in self.pageIds())
        return [page for page in pages if isinstance(page, SetupPage)]

    def _painted_once(self) -> None:
        if self._painted:
            return
        self._painted = True
        self.welcome_page().intro.removeEventFilter(self._paint_watch)
        QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        finish_text_setup(self)
        self.ensure_pages()
        if self._new_setup:
            self._restore_draft()
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
        self.update_next_hint()

    def update_next_hint(self) -> None:
        """Say under the current page why Next is grey, if it is (nothing while a check runs)."""
        page = self.currentPage()
        if not isinstance(page, SetupPage) or self.resuming:
            return
        waiting = page.isComplete() or page.busy or self.nextId() == -1
        page.show_next_hint(None if waiting else page.next_hint())

    def record_step(self, step: SetupStep | str) -> None:
        """Remember where the admin is, once the profile exists."""
        if self.state.profile_stored and self.state.profile_name:
            from app.core.profiles import SetupStep

            self.ctx.profiles.set_step(self.state.profile_name, SetupStep(str(step)))

    def _fields_changed(self) -> None:
        """Keep the pages' ticks and kept fields with the profile, as they change."""
        if self._restoring or self.resuming or not self.state.profile_stored:
            return
        from app.core.profiles import ProfileError

        try:
            self.ctx.profiles.set_wizard_fields(
                self.state.profile_name, draft.collect(self.setup_pages())
            )
        except (ProfileError, OSError) as exc:  # deleted meanwhile, or a full disk
            _log.warning("The wizard's progress could not be kept: %s", exc)

    def restore_fields(self, values: dict[str, bool | str]) -> None:
        """Put a profile's kept ticks and fields back on the pages."""
        self._restoring = True
        try:
            draft.restore(self.setup_pages(), values)
        finally:
            self._restoring = False

    def choose_place(self, deployment: Deployment, server_url: str | None) -> None:
        """Go back to the first page, choose where the organization lives there, and go on
        (to the server check for a self-hosted server, else straight back to the SCIM URL)."""
        while self.currentId() > 0:
            self.back()
        self.welcome_page().prefill(str(deployment), server_url)
        if self.welcome_page().isComplete():
            self.next()

    # -- closing -----------------------------------------------------------------------------------
    def unsaved_work(self) -> list[str]:
        """What closing now would lose, in plain words (empty: everything is kept)."""
        if self.demo is not None or self.currentId() == -1:
            return []  # the demo keeps nothing by design
        state, lost = self.state, []
        if any(page.busy for page in self.setup_pages()):
            lost.append(self.tr("A check is still running; closing stops it."))
        entered = bool(state.scim_url) or state.scim_key is not None
        if entered and not state.secrets_saved:
            lost.append(
                self.tr("The SCIM URL and key you entered are not saved in the keyring yet.")
            )
        public_api = self.page(page_id("public_api"))
        typed = getattr(public_api, "has_unsaved_key", None)
        if callable(typed) and typed():
            lost.append(self.tr("The Public API key you entered is not verified and saved yet."))
        return lost

    def confirm_discard(self, lost: list[str]) -> bool:
        """Ask before closing with unsaved work; True means close anyway."""
        box = self.discard_question(lost)
        box.exec()
        clicked = box.clickedButton()
        return (
            clicked is not None
            and box.buttonRole(clicked) == QMessageBox.ButtonRole.DestructiveRole
        )

    def discard_question(self, lost: list[str]) -> QMessageBox:
        """The question `confirm_discard` asks ("Close anyway" is its destructive button)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Close the setup?"))
        box.setText(self.tr("Close the setup now?"))
        box.setInformativeText(
            "\n".join(
                [
                    *(f"• {line}" for line in lost),
                    self.tr(
                        "Your progress on the other pages is kept: the setup resumes here next "
                        "time."
                    )
                    if self.state.profile_stored
                    else "",
                ]
            ).strip()
        )
        box.addButton(self.tr("&Close anyway"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("&Keep working"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        fit_message_box(box)  # each unsaved item on one line, the whole title in the title bar
        return box

    def reject(self) -> None:  # Qt override: Cancel, Escape and the window's close button
        lost = self.unsaved_work()
        if lost and not self.confirm_discard(lost):
            return  # closeEvent sees the wizard still visible and ignores the close
        super().reject()

    def done(self, result: int) -> None:  # Qt override: Finish, Cancel, Escape, window close
        if self._new_setup:
            self._keep_draft()
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
        from app.gui.widgets.browser import open_in_browser

        open_in_browser(url, self)

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
        self.state.okta_app_id = profile.okta_app_id
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
        profile = self.ctx.profiles.get(self.state.profile_name)
        if resume and profile is not None:  # a rerun ticks the Okta steps anew (a new key)
            self.restore_fields(profile.wizard_fields)
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

    # -- a new setup's draft ----------------------------------------------------------------------
    def _keep_draft(self) -> None:
        """A new setup closed before its profile was saved: keep where the organization lives
        (not secret), so the next start does not ask again. Once saved, the profile keeps it."""
        from app.core.profiles import ProfileError

        state = self.state
        value = (
            None
            if state.profile_stored or state.deployment is None
            else {
                "deployment": str(state.deployment),
                "server_url": state.server_url,
                "ca_file": str(state.ca_file) if state.ca_file is not None else None,
            }
        )
        profiles = self.ctx.profiles
        try:
            if value is not None or profiles.preferences().get(_DRAFT) is not None:
                profiles.set_preference(_DRAFT, value)
        except (ProfileError, OSError) as exc:
            _log.warning("The setup's draft could not be kept: %s", exc)

    def _restore_draft(self) -> None:
        from pathlib import Path

        saved = self.ctx.profiles.preferences().get(_DRAFT)
        welcome = self.welcome_page()
        if not isinstance(saved, dict) or welcome.selected() is not None:
            return
        ca_file = saved.get("ca_file")
        if isinstance(ca_file, str) and ca_file:
            self.state.ca_file = Path(ca_file)
        welcome.prefill(str(saved.get("deployment") or ""), saved.get("server_url") or None)

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
