"""`OktaConnectionBox`: the optional Okta org URL and API token that let the wizard read Okta back.

The URL is checked as the core checks it (`check_org_url`: Okta's domains, or a custom domain with
a warning) before a token is ever sent to it; the token is taken bare (a pasted `SSWS ` prefix is
dropped). Both go into `SetupState`; the check panels read Okta with them, and the first reading
Okta accepts saves the token in the keyring with the profile (see `OktaChecks`). Everything works
without them: the Okta pages stay checklists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QWidget

from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.secret_field import SecretField
from app.gui.widgets.text import bold, paragraph

if TYPE_CHECKING:
    from app.gui.wizard.state import SetupState

_PREFIXES = ("SSWS ", "Bearer ")


def bare_token(text: str) -> str | None:
    """The token without a pasted `SSWS `/`Bearer ` and surrounding spaces; None when unusable."""
    token = text.strip()
    for prefix in _PREFIXES:
        if token.lower().startswith(prefix.lower()):
            token = token[len(prefix) :].strip()
    if not token or any(ch.isspace() or not ch.isprintable() for ch in token):
        return None
    return token


class OktaConnectionBox(QGroupBox):
    """Org URL and API token fields; `changed` when what `SetupState` holds for them changed."""

    changed = Signal()

    def __init__(self, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle(self.tr("Optional: let this program read your Okta setup back"))
        layout = QFormLayout(self)
        intro = paragraph(
            self.tr(
                "With an Okta API token, each Okta page can check its steps in Okta for you. "
                "Create one in Okta's Admin Console: {0}. The token acts with the permissions "
                "of the admin who creates it; a Read-only Administrator is enough. It is saved "
                "in the keyring with this profile, like the SCIM key."
            ).format(bold(self.tr("Security → API → Tokens → Create token"))),
            self,
            rich=True,
        )
        layout.addRow(intro)
        self.url = QLineEdit(self)
        self.url.setAccessibleName(self.tr("Okta org URL"))
        self.url.setPlaceholderText("https://example.okta.com")
        self.url_message = MessageLabel(self.tr("Okta org URL check"), self)
        self.token = SecretField(self.tr("Okta API token"), self)
        self.token_message = MessageLabel(self.tr("Okta API token check"), self)
        add_row(layout, self.tr("Okta org &URL:"), self.url)
        layout.addRow("", self.url_message)
        add_row(layout, self.tr("Okta API to&ken:"), self.token)
        layout.addRow("", self.token_message)
        self.url.textChanged.connect(self._edited)
        self.token.textChanged.connect(self._edited)

    def fill(self, url: str | None, token: str | None) -> None:
        """Show saved (or the demo's) values, once, without overwriting what the admin typed."""
        if not self.url.text() and url:
            self.url.setText(url)
        if not self.token.text() and token:
            self.token.setText(token)

    def _edited(self) -> None:
        from pydantic import SecretStr

        from app.core.okta.org_url import check_org_url

        url_text, token_text = self.url.text(), self.token.text()
        url: str | None = None
        if url_text.strip():
            check = check_org_url(url_text)
            self.url_message.show_checks(check.error, check.warnings)
            url = check.url
        else:
            self.url_message.show_lines(Tone.NEUTRAL, [])
        bare = bare_token(token_text)
        if token_text.strip() and bare is None:
            self.token_message.show_lines(
                Tone.ERROR, [self.tr("This token cannot be used: it has spaces inside.")]
            )
        elif bare is not None and bare != token_text:
            self.token_message.show_lines(
                Tone.WARNING,
                [self.tr("Only the token is used (the “SSWS ” or spaces around it are dropped).")],
            )
        else:
            self.token_message.show_lines(Tone.NEUTRAL, [])
        token = SecretStr(bare) if bare is not None else None
        state = self.state
        if (url, token) == (state.okta_url, state.okta_token):
            return
        if url != state.okta_url:
            state.okta_app_id = None  # another org: its apps are others
        state.okta_url, state.okta_token = url, token
        state.okta_verified = False
        self.changed.emit()
