"""The members window's menu bar: the setup wizard, the profile itself, and help.

interfaces.md promises that the wizard stays reachable from the members window. The window must not
import the launcher (the launcher imports the window: the GUI's layers contract), so it is handed a
`WizardOpener` by `app.gui.launch.open_members`; a window built without one (a test, the bench) has
the wizard's menu entries disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from app.gui.tasks import run_task
from app.gui.widgets import help_links
from app.gui.widgets.about import about_action, quit_action
from app.gui.widgets.plain_text import plain_message_box

if TYPE_CHECKING:
    from app.gui.demo_faults import OktaFaultMenu
    from app.gui.members.window import MembersWindow


class WizardOpener(Protocol):
    """Opens the setup wizard; `on_members(profile)` runs when its Finish asks for the members."""

    def __call__(
        self,
        *,
        profile_name: str | None = None,
        start_at: str | None = None,
        on_members: Callable[[str], object] | None = None,
    ) -> QWidget: ...


def help_entries() -> list[tuple[str, str]]:
    """The Help menu: Bitwarden's and Okta's articles on this setup (title, address)."""
    return [
        (
            QCoreApplication.translate("MembersMenus", "Bitwarden: About SCIM"),
            help_links.BW_ABOUT_SCIM,
        ),
        (
            QCoreApplication.translate("MembersMenus", "Bitwarden: Okta SCIM integration"),
            help_links.BW_OKTA_SCIM,
        ),
        (
            QCoreApplication.translate("MembersMenus", "Bitwarden: Public API"),
            help_links.BW_PUBLIC_API,
        ),
        (
            QCoreApplication.translate("MembersMenus", "Bitwarden: Confirm members"),
            help_links.BW_CONFIRM_MEMBERS,
        ),
        (
            QCoreApplication.translate("MembersMenus", "Bitwarden: Fingerprint phrase"),
            help_links.BW_FINGERPRINT,
        ),
        (
            QCoreApplication.translate("MembersMenus", "Okta: Provisioning troubleshooting"),
            help_links.OKTA_TROUBLESHOOTING,
        ),
    ]


class MembersMenus(QObject):
    """The Organization and Help menus of one `MembersWindow`."""

    #: A wizard was opened from a menu (the wizard widget).
    wizard_opened = Signal(object)
    #: A profile was deleted (its name); the window then shows another one, or the wizard opens.
    profile_deleted = Signal(str)
    delete_failed = Signal(str)

    def __init__(self, window: MembersWindow, opener: WizardOpener | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.opener = opener
        self.delete_dialog: QMessageBox | None = None
        bar = window.menuBar()
        bar.setAccessibleName(self.tr("Menu bar"))
        self.file_menu = bar.addMenu(self.tr("&File"))
        self.quit_action = quit_action(window)
        self.file_menu.addAction(self.quit_action)
        self.organization_menu = bar.addMenu(self.tr("&Organization"))
        menu = self.organization_menu
        self.new_action = self._action(
            menu,
            self.tr("Set &up another organization…"),
            self.tr("Connect another Bitwarden organization to Okta (a new profile)"),
            self.set_up_another,
        )
        self.rerun_action = self._action(
            menu,
            self.tr("&Run setup again for this organization…"),
            self.tr(
                "For example after rotating the SCIM key in the Admin Console: update the "
                "profile here, then the API Token in Okta"
            ),
            self.run_setup_again,
        )
        self.public_api_action = self._action(
            menu,
            self.tr("Add or change the &Public API key…"),
            self.tr("Member statuses and confirming need the organization's Public API key"),
            self.change_public_api_key,
        )
        menu.addSeparator()
        for action in (self.new_action, self.rerun_action, self.public_api_action):
            action.setEnabled(opener is not None)
        self.delete_action = self._action(
            menu,
            self.tr("&Delete this profile…"),
            self.tr("Remove this profile's keys from the keyring and its local history"),
            self.ask_delete,
        )
        self.demo_menu: QMenu | None = None
        self.fault_menu: OktaFaultMenu | None = None
        if window.ctx.demo:
            from app.gui.demo_faults import OktaFaultMenu

            self.demo_menu = bar.addMenu(self.tr("De&mo"))
            self.fault_menu = OktaFaultMenu(window.ctx, window)
            self.fault_menu.seeded.connect(self._check_okta_again)
            self.demo_menu.addMenu(self.fault_menu)
        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.help_actions: list[QAction] = []
        for title, url in help_entries():
            action = self._action(
                self.help_menu, title, url, lambda _checked=False, u=url: self.open_help(u)
            )
            self.help_actions.append(action)
        self.help_menu.addSeparator()
        self.about_action = about_action(window, window.ctx.file_locations)
        self.help_menu.addAction(self.about_action)

    def _check_okta_again(self) -> None:
        """After a demo fault: the members (a fault may provision or revoke one) and Okta, now."""
        self.window.refresh_now()
        self.window.okta_side.check(force=True)

    def _action(self, menu: QMenu, text: str, tip: str, slot: Callable[..., object]) -> QAction:
        action = QAction(text, menu)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ---------------------------------------------------------------- the wizard
    def _open(self, profile_name: str | None, start_at: str | None = None) -> QWidget:
        """The wizard; its Finish shows the profile it set up in this window."""
        assert self.opener is not None, "the wizard's actions are disabled without an opener"
        wizard = self.opener(
            profile_name=profile_name, start_at=start_at, on_members=self.window.show_profile
        )
        self.wizard_opened.emit(wizard)
        return wizard

    def set_up_another(self) -> QWidget:
        return self._open(None)

    def run_setup_again(self) -> QWidget:
        return self._open(self.window.profile_name)

    def change_public_api_key(self) -> QWidget:
        return self._open(self.window.profile_name, start_at="public_api")

    def open_help(self, url: str) -> None:
        if not self.window.ctx.demo:  # the demo opens nothing outside
            from app.gui.widgets.browser import open_in_browser

            open_in_browser(url, self.window)

    # ---------------------------------------------------------------- deleting
    def ask_delete(self) -> QMessageBox:
        """Ask before deleting the shown profile; Delete removes it (`delete_profile`)."""
        name = self.window.profile_name
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Delete this profile"),
            self.tr("Delete the profile “{0}”?").format(name),
            QMessageBox.StandardButton.Cancel,
            self.window,
        )
        plain_message_box(box)  # the profile's name is shown as typed, never as markup
        box.setInformativeText(
            self.tr(
                "This removes its keyring entry (the SCIM URL and key, and the Public API key) "
                "and its local history (when each member was first seen, and their status "
                "changes) from this computer. Nothing changes in Bitwarden or Okta: SCIM stays "
                "enabled and Okta keeps provisioning until you turn them off there."
            )
        )
        delete = box.addButton(self.tr("Delete profile"), QMessageBox.ButtonRole.DestructiveRole)
        delete.setAccessibleName(self.tr("Delete profile"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAccessibleName(self.tr("Delete this profile"))
        delete.clicked.connect(lambda: self.delete_profile(name))
        self.delete_dialog = box
        box.open()
        return box

    def delete_profile(self, name: str) -> None:
        """Delete `name` (keyring entry, history: `ProfileStore.delete`) off the GUI thread."""
        ctx = self.window.ctx
        ctx.forget(name)
        self.delete_action.setEnabled(False)
        run_task(
            self.window,
            lambda _control: ctx.profiles.delete(name),
            on_success=lambda _existed: self._deleted(name),
            on_failure=self._delete_failed,
            on_finished=lambda: self.delete_action.setEnabled(True),
        )

    def _deleted(self, name: str) -> None:
        remaining = [p.name for p in self.window.ctx.profiles.list() if p.name != name]
        self.window.statusBar().showMessage(
            self.tr("Deleted the profile “{0}”.").format(name), 10_000
        )
        self.profile_deleted.emit(name)
        if remaining:
            if self.window.profile_name == name:
                self.window.switch_profile(remaining[0])
            else:
                self.window.switch_profile(self.window.profile_name)
            return
        # None left: the wizard for a new organization, which opens a members window when done.
        if self.opener is not None:
            self.wizard_opened.emit(self.opener(profile_name=None))
        self.window.close()

    def _delete_failed(self, error: BaseException) -> None:
        message = self.tr("Could not delete the profile: {0}").format(str(error))
        self.window.error_banner.show_message(message)
        self.delete_failed.emit(message)
