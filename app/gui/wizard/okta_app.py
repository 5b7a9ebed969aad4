"""Page 6, Add the Bitwarden app in Okta: the catalog steps and General Settings, as a checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QWidget

from app.core.profiles import SetupStep
from app.gui.widgets import help_links
from app.gui.widgets.checklist import Checklist
from app.gui.widgets.copy_button import CopyButton
from app.gui.widgets.form import add_row
from app.gui.widgets.text import paragraph
from app.gui.wizard.base import SetupPage
from app.gui.wizard.draft import persisted
from app.gui.wizard.okta_checks import OktaChecks
from app.gui.wizard.okta_connection import OktaConnectionBox

if TYPE_CHECKING:
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


class OktaAppPage(SetupPage):
    step = SetupStep.OKTA_APP

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Add the Bitwarden app in Okta"))
        self.setSubTitle(
            self.tr("In Okta's Admin Console, add Bitwarden from the app catalog. Tick each step.")
        )
        self.checklist = Checklist(
            [
                self.tr("Open Applications → Applications and select Browse App Catalog."),
                self.tr("Search for “Bitwarden”, select it, then select Add Integration."),
                self.tr("In General Settings, enter a unique, Bitwarden-specific label."),
                self.tr("Tick “Do not display application icon to users”."),
                self.tr("Tick “Do not display application icon in Okta Mobile App”."),
                self.tr("Select Done."),
            ],
            self,
        )
        self.add(self.checklist)
        label_row = QWidget(self)
        form = QFormLayout(label_row)
        form.setContentsMargins(0, 8, 0, 0)
        inner = QWidget(label_row)
        inner_layout = QHBoxLayout(inner)
        inner_layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLineEdit(inner)
        self.label.setAccessibleName(self.tr("Suggested application label"))
        self.label.setObjectName("okta_app_label")
        persisted(self.label)  # the admin may have edited it to the label used in Okta
        self.copy_label = CopyButton(
            self.label.text, self.tr("Copy the suggested label"), parent=inner
        )
        inner_layout.addWidget(self.label, 1)
        inner_layout.addWidget(self.copy_label)
        add_row(form, self.tr("Suggested &label:"), inner)
        self.add(label_row)
        self.add(
            paragraph(
                self.tr(
                    "The app is used only for provisioning: people sign in to Bitwarden as "
                    "before, which is why its icon is hidden from them."
                ),
                self,
            )
        )
        self.connection = OktaConnectionBox(state, self)
        self.add(self.connection)
        self.okta = OktaChecks(
            self,
            [
                ("app_active", self.tr("The Bitwarden app is active")),
                ("icons_hidden", self.tr("Its icons are hidden from users")),
            ],
            missing=self.connection.missing_text,
        )
        self.add(self.okta)
        self.end_with_help(
            [
                (self.tr("Okta: add an app integration"), help_links.OKTA_ADD_APP),
                (self.tr("Bitwarden: Okta SCIM integration"), help_links.BW_OKTA_SCIM),
            ]
        )
        self.checklist.changed.connect(self.completeChanged)
        self.connection.changed.connect(self._connection_changed)
        self.connection.still_missing.connect(self.okta.refresh)
        self.okta.updated.connect(self.completeChanged)

    def initializePage(self) -> None:  # noqa: N802
        if not self.label.text():
            name = self.state.profile_name or self.tr("organization")
            self.label.setText(self.tr("Bitwarden SCIM ({0})").format(name))
        info = self.ctx.sandbox_info if self.ctx.demo else None
        token = self.state.okta_token
        if info is not None and "okta_url" in info:
            self.connection.fill(info["okta_url"], info["okta_token"])
            if "okta_client_id" in info:  # the demo's service app, for the "Service app" choice
                from pydantic import SecretStr

                self.connection.service.fill_given(
                    info["okta_client_id"],
                    SecretStr(info["okta_private_key_pem"]),
                    info.get("okta_key_id"),
                    self.tr("The demo's private key"),
                )
        else:
            self.connection.fill(
                self.state.okta_url,
                token.get_secret_value() if token is not None else None,
                self.state.okta_service_app,
            )
        self.okta.refresh()

    def activate(self) -> None:
        self.okta.activate()

    def next_hint(self) -> str | None:
        return self.tr("Tick each step once it is done in Okta to go on.")

    def isComplete(self) -> bool:  # noqa: N802
        return self.checklist.all_checked() or self.okta.page_verified()

    def _connection_changed(self) -> None:
        self.okta.refresh()
        self.completeChanged.emit()
