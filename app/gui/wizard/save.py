"""Page 4, Save: keep the SCIM URL and key in the OS keyring under a profile name.

The page names the keyring that will hold them. When no keyring is usable (or saving fails), it says
so and lets the admin go on with the values kept only in memory until the program closes; it never
writes a secret anywhere else. The profile's non-secret part is stored either way, so the setup's
progress is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QWidget

from app.core.endpoints import Deployment
from app.core.profiles import Profile, ProfileError, SetupStep, check_name
from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.run_row import RunRow
from app.gui.widgets.text import paragraph
from app.gui.wizard.base import SetupPage
from app.gui.wizard.draft import session_only

if TYPE_CHECKING:
    from app.core.secrets import KeyringInfo
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


class SavePage(SetupPage):
    step = SetupStep.SAVE

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Save the SCIM URL and key"))
        self.setSubTitle(
            self.tr("They are kept in your system's keyring, never in a file of this program.")
        )
        self.add(
            paragraph(
                self.tr(
                    "A profile holds one organization's connection. Its name is how you find it "
                    "again, for example after rotating the SCIM key."
                ),
                self,
            )
        )
        fields = QWidget(self)
        form = QFormLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        self.name = QLineEdit(fields)
        self.name.setAccessibleName(self.tr("Profile name"))
        self.name_message = MessageLabel(self.tr("Profile name check"), fields)
        add_row(form, self.tr("Profile na&me:"), self.name)  # Alt+N is Next
        form.addRow("", self.name_message)
        self.add(fields)

        self.keyring = MessageLabel(self.tr("Keyring"), self)
        self.add(self.keyring)
        self.runner = RunRow(
            self,
            (self.tr("&Save in the keyring"), self.tr("Save the profile in the keyring")),
            self.tr("Saving"),
        )
        self.save_button, self.progress = self.runner.run_button, self.runner.progress
        self.add(self.runner)
        self.result = MessageLabel(self.tr("Save result"), self)
        self.add(self.result)
        self.without_saving = QCheckBox(
            self.tr(
                "Continue without saving: keep the key only until this program closes "
                "(you will paste it again next time)"
            ),
            self,
        )
        self.without_saving.setAccessibleName(self.tr("Continue without saving"))
        session_only(self.without_saving)  # the key it keeps is gone after a restart
        self.without_saving.setVisible(False)
        self.add(self.without_saving)
        self.body.addStretch(1)

        self._info: KeyringInfo | None = None
        self.name.textChanged.connect(self._name_changed)
        self.save_button.clicked.connect(self.save)
        self.without_saving.toggled.connect(self._without_saving_toggled)

    def initializePage(self) -> None:  # noqa: N802
        if not self.name.text():
            self.name.setText(self.state.profile_name or self._default_name())
        self._name_changed()
        if not self.state.secrets_saved and self.result.tone is Tone.OK:
            # The URL or key changed since it was saved: "Saved" no longer holds for them.
            self.result.show_lines(Tone.NEUTRAL, [self.tr("Not saved yet with this URL and key.")])
        if self._info is None and not self.resuming():
            self.keyring.show_lines(Tone.NEUTRAL, [self.tr("Looking for the keyring…")])
            self.save_button.setEnabled(False)
            store = self.ctx.secrets
            self.start(
                lambda _control: store.info(),
                on_success=self._show_keyring,
                on_failure=self._keyring_failed,
            )

    def isComplete(self) -> bool:  # noqa: N802
        if self.busy or self._valid_name() is None:
            return False
        return self.state.secrets_saved or self.without_saving.isChecked()

    def next_hint(self) -> str | None:
        if self._valid_name() is None:
            return self.tr("Give the profile a name to go on.")
        return self.tr("Save in the keyring to go on.")

    # -- behaviour -------------------------------------------------------------------------------
    def save(self) -> None:
        name = self._valid_name()
        if name is None or self.busy:
            return
        profile = self._profile(name)
        secrets = self.state.profile_secrets()
        store = self.ctx.profiles
        self._set_busy(True)
        self.result.show_lines(Tone.NEUTRAL, [self.tr("Saving…")])
        self.start(
            lambda _control: store.save(profile, secrets),
            on_success=lambda _stored: self._saved(name),
            on_failure=self._save_failed,
        )

    def _saved(self, name: str) -> None:
        self._set_busy(False)
        self.state.profile_name = name
        self.state.profile_stored = True
        self.state.secrets_saved = True
        self.ctx.forget(name)
        keyring = self._info.name if self._info is not None else self.tr("the keyring")
        self.state.keyring_name = keyring
        self.result.show_lines(
            Tone.OK, [self.tr("Saved as profile “{0}” in {1}.").format(name, keyring)]
        )
        self.completeChanged.emit()

    def _save_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.result.show_lines(
            Tone.ERROR,
            [str(error), self.tr("Try again, or continue without saving.")],
        )
        self.without_saving.setVisible(True)
        self.completeChanged.emit()

    def _without_saving_toggled(self, checked: bool) -> None:
        name = self._valid_name()
        if checked and name is not None:
            # Secrets stay in memory for this session; the profile's non-secret part is stored
            # so that the members window and the setup's progress work.
            self.ctx.remember(name, self.state.profile_secrets())
            self.state.profile_name = name
            profile, store = self._profile(name), self.ctx.profiles
            self.start(
                lambda _control: store.save(profile, None),
                on_success=lambda _stored: self._stored_without_secrets(),
                on_failure=self._save_failed,
            )
        self.completeChanged.emit()

    def _stored_without_secrets(self) -> None:
        self.state.profile_stored = True
        self.state.keyring_name = ""
        self.result.show_lines(
            Tone.WARNING,
            [self.tr("Not saved: the key is kept only until this program closes.")],
        )

    def _show_keyring(self, info: KeyringInfo) -> None:
        self._info = info
        if info.usable:
            lines = [self.tr("The key will be saved in: {0}.").format(info.name)]
            if info.problem:
                lines.append(info.problem)
            self.keyring.show_lines(Tone.WARNING if info.locked else Tone.NEUTRAL, lines)
            self.save_button.setEnabled(True)
        else:
            self.keyring.show_lines(
                Tone.ERROR,
                [
                    self.tr("No keyring can hold the key on this computer."),
                    info.problem or "",
                ],
            )
            self.save_button.setEnabled(False)
            self.without_saving.setVisible(True)

    def _keyring_failed(self, error: BaseException) -> None:
        """Looking for the keyring failed: say so, and offer to go on without saving."""
        self.keyring.show_lines(
            Tone.ERROR,
            [self.tr("The keyring could not be looked up: {0}").format(error)],
        )
        self.save_button.setEnabled(False)
        self.without_saving.setVisible(True)
        self.completeChanged.emit()

    def _name_changed(self) -> None:
        try:
            name = check_name(self.name.text())
        except ProfileError as exc:
            self.name_message.show_lines(Tone.ERROR, [str(exc)])
        else:
            existing = self.ctx.profiles.get(name)
            notes: list[str] = []
            if existing is not None and name != self.state.profile_name:
                notes.append(
                    self.tr(
                        "A profile named “{0}” exists; saving replaces its SCIM URL and key "
                        "(as after rotating the key)."
                    ).format(name)
                )
            twins = self.ctx.profiles.for_organization(self.state.organization_id, other_than=name)
            if twins:
                notes.append(
                    self.tr(
                        "The profile “{0}” is for the same organization. Each profile holds a "
                        "SCIM key, and rotating the key for one breaks the other: give this one "
                        "that name to update it instead."
                    ).format(twins[0].name)
                )
            self.name_message.show_lines(Tone.WARNING if notes else Tone.NEUTRAL, notes)
            if name != self.state.profile_name:
                self.state.secrets_saved = False
                self.result.show_lines(Tone.NEUTRAL, [])
        self.completeChanged.emit()

    def _valid_name(self) -> str | None:
        try:
            return check_name(self.name.text())
        except ProfileError:
            return None

    def _profile(self, name: str) -> Profile:
        deployment = self.state.deployment or Deployment.SELF_HOSTED
        existing = self.ctx.profiles.get(name)
        ca_file = self.ca_file()
        return Profile(
            name=name,
            deployment=deployment,
            server_url=self.state.server_url,
            organization_id=self.state.organization_id,
            setup_step=SetupStep.TEST,
            has_public_api=existing.has_public_api if existing is not None else False,
            wizard_fields=existing.wizard_fields if existing is not None else {},
            ca_file=str(ca_file) if ca_file is not None else None,
        )

    def _default_name(self) -> str:
        if self.ctx.demo:
            return self.tr("Demo organization")
        endpoints = self.state.endpoints
        if endpoints is None:
            return ""
        short = endpoints.organization_id[:8]
        if endpoints.deployment is Deployment.CLOUD_US:
            return self.tr("Bitwarden US {0}").format(short)
        if endpoints.deployment is Deployment.CLOUD_EU:
            return self.tr("Bitwarden EU {0}").format(short)
        host = (endpoints.server_url or "").split("://", 1)[-1].split("/", 1)[0]
        return self.tr("{0} {1}").format(host, short)

    def _set_busy(self, busy: bool) -> None:
        self.runner.set_busy(busy, can_run=self._info is not None and self._info.usable)
        self.name.setEnabled(not busy)
        self.completeChanged.emit()
