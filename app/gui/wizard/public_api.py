"""Page 10, Public API key: the organization's client_id and client_secret, verified and saved.

The members window needs them for member statuses, and confirming needs them too: only the Public
API gives a member's user id, and without it no fingerprint phrase can be shown. The admin may skip
the page; it then says plainly what is unavailable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QWidget

from app.core.keys import check_client_id, check_client_secret
from app.core.profiles import SetupStep
from app.gui.widgets import help_links
from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.run_row import RunRow
from app.gui.widgets.secret_field import SecretField
from app.gui.widgets.text import bold, paragraph, steps
from app.gui.wizard.base import SetupPage

if TYPE_CHECKING:
    from pathlib import Path

    from pydantic import SecretStr

    from app.core.endpoints import Endpoints
    from app.gui.context import AppContext
    from app.gui.tasks import TaskControl
    from app.gui.wizard.state import SetupState


class PublicApiPage(SetupPage):
    step = SetupStep.PUBLIC_API

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Add the organization's Public API key"))
        self.setSubTitle(
            self.tr("With it, the members window shows each member's status and can confirm them.")
        )
        self.add(
            steps(
                [
                    self.tr("In the Admin Console, open {0}.").format(
                        bold(self.tr("Settings → Organization info"))
                    ),
                    self.tr(
                        "Under {0}, select {1} and enter your master password "
                        "(only an Owner can see it)."
                    ).format(bold(self.tr("API key")), bold(self.tr("View API key"))),
                    self.tr("Copy {0} and {1} into the fields below.").format(
                        bold("client_id"), bold("client_secret")
                    ),
                ],
                self,
            )
        )
        fields = QWidget(self)
        form = QFormLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        self.client_id = QLineEdit(fields)
        self.client_id.setAccessibleName("client_id")
        self.client_id.setPlaceholderText("organization.…")
        self.client_id_message = MessageLabel(self.tr("client_id check"), fields)
        self.client_secret = SecretField("client_secret", fields)
        self.client_secret_message = MessageLabel(self.tr("client_secret check"), fields)
        add_row(form, self.tr("client_&id:"), self.client_id)
        form.addRow("", self.client_id_message)
        add_row(form, self.tr("client_&secret:"), self.client_secret)
        form.addRow("", self.client_secret_message)
        self.add(fields)
        self.runner = RunRow(
            self,
            (self.tr("&Verify and save"), self.tr("Verify the Public API key and save it")),
            self.tr("Verifying"),
        )
        self.verify_button, self.progress = self.runner.run_button, self.runner.progress
        self.add(self.runner)
        self.result = MessageLabel(self.tr("Verification result"), self)
        self.add(self.result)
        self.skip = QCheckBox(self.tr("Skip for now; I can add the key later"), self)
        self.skip.setAccessibleName(self.skip.text())
        self.add(self.skip)
        self.skip_note = paragraph(
            self.tr(
                "Without the Public API key, the members window shows only what SCIM reports: who "
                "Okta provisioned and whether they are active, not whether each member is invited, "
                "accepted or confirmed. Confirming members is unavailable too, because only the "
                "Public API gives a member's user id, and without it no fingerprint phrase can be "
                "shown. Run this setup again to add the key later."
            ),
            self,
        )
        self.skip_note.setVisible(False)
        self.add(self.skip_note)
        self.end_with_help(
            [
                (self.tr("Bitwarden: Public API"), help_links.BW_PUBLIC_API),
                (self.tr("Fingerprint phrase"), help_links.BW_FINGERPRINT),
            ]
        )
        self._id_value: str | None = None
        self._secret_value: SecretStr | None = None
        self.client_id.textChanged.connect(self._changed)
        self.client_secret.textChanged.connect(self._changed)
        self.verify_button.clicked.connect(self.verify)
        self.skip.toggled.connect(self._skip_toggled)

    def initializePage(self) -> None:  # noqa: N802
        demo = self.setup().demo
        values = demo.values if demo is not None else None
        if not self.client_id.text():
            client_id = values.client_id if values is not None else self.state.client_id
            self.client_id.setText(client_id or "")
        if not self.client_secret.text():
            secret = values.client_secret if values is not None else self.state.client_secret
            self.client_secret.setText(secret.get_secret_value() if secret is not None else "")
        self._changed()
        self._offer_skip()
        if self.state.public_api_verified:
            self.result.show_lines(Tone.OK, [self.tr("The saved Public API key is in use.")])
        elif self.result.tone is Tone.OK:  # verified for a SCIM URL that has changed since
            self.result.show_lines(Tone.NEUTRAL, [self.tr("Not verified yet for this SCIM URL.")])

    def isComplete(self) -> bool:  # noqa: N802
        if self.busy:
            return False
        return self.state.public_api_verified or self.skip.isChecked()

    def next_hint(self) -> str | None:
        return self.tr("Verify the key, or tick “Skip for now”, to go on.")

    def has_unsaved_key(self) -> bool:
        """A key typed here that is neither verified nor the one already kept."""
        if self.state.public_api_verified or not self.client_secret.text():
            return False
        return self._secret_value is None or self._secret_value != self.state.client_secret

    # -- behaviour -------------------------------------------------------------------------------
    def verify(self) -> None:
        endpoints = self.state.endpoints
        client_id, secret = self._id_value, self._secret_value
        if endpoints is None or client_id is None or secret is None or self.busy:
            return
        ctx, state = self.ctx, self.state
        name, saved, ca_file = state.profile_name, state.secrets_saved, self.ca_file()
        secrets = state.profile_secrets().model_copy(
            update={"client_id": client_id, "client_secret": secret}
        )

        def verify_and_save(control: TaskControl) -> bool:
            _verify(endpoints, client_id, secret, ca_file, control)
            if saved:
                profile = ctx.profiles.get(name)
                if profile is not None:
                    ctx.profiles.save(profile, secrets)
                    return True
            ctx.remember(name, secrets)
            return False

        self._set_busy(True)
        self.result.show_lines(Tone.NEUTRAL, [self.tr("Asking for a token…")])
        self.start(verify_and_save, on_success=self._verified, on_failure=self._failed)

    def _verified(self, saved_in_keyring: bool) -> None:
        self._set_busy(False)
        self.state.client_id = self._id_value
        self.state.client_secret = self._secret_value
        self.state.public_api_verified = True
        where = (
            self.tr("Saved in the keyring.")
            if saved_in_keyring
            else self.tr("Kept until this program closes (not saved).")
        )
        self.result.show_lines(Tone.OK, [self.tr("The Public API key works."), where])
        self._offer_skip()
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.result.show_lines(Tone.ERROR, [str(error)])

    def _changed(self) -> None:
        client_id, id_error = check_client_id(self.client_id.text(), self.state.organization_id)
        secret = check_client_secret(self.client_secret.text())
        if self.client_secret.show_cleaned(secret.cleaned.get_secret_value(), secret.warnings):
            return  # checked again with only the secret in the field
        self._id_value = client_id
        self._secret_value = secret.value if secret.ok else None
        self.client_id_message.show_checks(id_error if self.client_id.text() else None, [])
        self.client_secret_message.show_checks(
            secret.error if self.client_secret.text() else None,
            secret.warnings,
            self.client_secret.cleaned_notes(),
        )
        changed = (
            client_id != self.state.client_id or self._secret_value != self.state.client_secret
        )
        if changed and self.state.public_api_verified:
            self.state.public_api_verified = False
            self.result.show_lines(Tone.NEUTRAL, [])
            self._offer_skip()
        self.verify_button.setEnabled(self._id_value is not None and self._secret_value is not None)
        self.completeChanged.emit()

    def _offer_skip(self) -> None:
        """ "Skip for now" only while there is something to skip (no verified key)."""
        verified = self.state.public_api_verified
        if verified:
            self.skip.setChecked(False)
        self.skip.setVisible(not verified)

    def _skip_toggled(self, checked: bool) -> None:
        self.state.public_api_skipped = checked
        self.skip_note.setVisible(checked)
        self.completeChanged.emit()

    def _set_busy(self, busy: bool) -> None:
        self.runner.set_busy(busy)
        self.completeChanged.emit()


def _verify(
    endpoints: Endpoints,
    client_id: str,
    secret: SecretStr,
    ca_file: Path | None,
    control: TaskControl,
) -> None:
    """A token request with the given key (raises `PublicApiError` with a plain message)."""
    from app.core.public_api import PublicApiClient

    with PublicApiClient(endpoints, client_id, secret, ca_file=ca_file) as client:
        client.verify(cancel=control.token)
