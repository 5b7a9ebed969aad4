"""The members window's Okta side: whom Okta tried and failed to provision, and why.

Shown only when the profile has an Okta API token (saved by the wizard or `profile save
--okta-url … --okta-token-env …`); without one the window is as before. After a members refresh
it reads Okta through the core (`read_okta`, off the GUI thread; after the fetch, not beside it:
measured, a read beside it made the table's own refresh 2.6 times slower) with the members the
window has just shown, so a conflict names the Bitwarden member holding the e-mail, and shows
three lists, compared again with the members each refresh brings:
"In Okta, not in Bitwarden" (with the System Log's reason), "In Bitwarden, not assigned in Okta"
and "App username ≠ email". Okta is read at most once a minute however often the members
refresh (Okta's rate limits are per minute and shared with the org's other integrations);
"Check Okta now" reads it at once. Everything Okta sends is shown as plain text.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.tasks import run_task

if TYPE_CHECKING:
    from collections.abc import Iterable

    from app.core.okta.compare import OktaSide
    from app.core.okta.verify import BitwardenMember, Verification
    from app.gui.members.rows import MemberRow
    from app.gui.members.window import MembersWindow
    from app.gui.tasks import Task, TaskControl

#: The least time between two automatic reads of Okta (a members refresh may come every 5 s).
MIN_INTERVAL_S = 60.0
#: People listed per group before "and N more".
LIST_LIMIT = 200


def _tr(text: str) -> str:
    return QCoreApplication.translate("OktaSide", text)


def _plain(text: str) -> str:
    from app.core.outside_text import clean

    return clean(text, 1000)


def side_text(side: OktaSide) -> str:
    """The three lists as the panel shows them (plain text)."""
    parts: list[str] = []

    def group(title: str, lines: list[str]) -> None:
        parts.append(f"{title} ({len(lines)})")
        parts.extend(f"  {line}" for line in lines[:LIST_LIMIT])
        if len(lines) > LIST_LIMIT:
            parts.append("  " + _tr("…and %1 more.").replace("%1", str(len(lines) - LIST_LIMIT)))
        parts.append("")

    group(
        _tr("In Okta, not in Bitwarden"),
        [f"{_plain(r.email)}: {_plain(r.reason)}" for r in side.not_in_bitwarden],
    )
    group(_tr("In Bitwarden, not assigned in Okta"), [_plain(e) for e in side.not_in_okta])
    group(
        _tr("App username ≠ email"),
        [f"{_plain(m.email)}: {_plain(m.app_username)}" for m in side.username_mismatches],
    )
    return "\n".join(parts).rstrip()


def summary_text(side: OktaSide) -> str:
    return _tr(
        "Okta (app “%1”): %2 in Okta but not in Bitwarden · %3 in Bitwarden but not assigned"
    ).replace("%1", _plain(side.app_label)).replace("%2", str(len(side.not_in_bitwarden))).replace(
        "%3", str(len(side.not_in_okta))
    ) + _tr(" · %1 app usernames ≠ email").replace("%1", str(len(side.username_mismatches)))


def _members(rows: Iterable[MemberRow]) -> list[BitwardenMember]:
    from app.core.okta.verify import BitwardenMember

    return [BitwardenMember(r.email, r.status.name.lower(), r.external_id) for r in rows]


class OktaSidePanel(QFrame):
    """Attached to a members window: follows its refreshes, profile switches and closing."""

    def __init__(self, window: MembersWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(_tr("Okta side"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        row = QHBoxLayout()
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(_tr("Okta side summary"))
        row.addWidget(self.summary, 1)
        self.details_button = QPushButton(_tr("Show Okta details"), self)
        self.details_button.setCheckable(True)
        self.details_button.setAccessibleName(_tr("Show what Okta tried and failed to provision"))
        self.details_button.toggled.connect(self._toggle_details)
        row.addWidget(self.details_button)
        self.check_button = QPushButton(_tr("Check Okta now"), self)
        self.check_button.setAccessibleName(_tr("Read Okta now"))
        self.check_button.clicked.connect(lambda: self.check(force=True))
        row.addWidget(self.check_button)
        layout.addLayout(row)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_tr("What Okta tried and failed to provision"))
        self.details.setMaximumHeight(self.fontMetrics().lineSpacing() * 12)
        self.details.setVisible(False)
        layout.addWidget(self.details)
        self.side: OktaSide | None = None
        #: The last reading of Okta for this profile (compared again after each members refresh).
        self.verification: Verification | None = None
        self._profile: str | None = None
        self._last_read: float | None = None
        self._task: Task[Any] | None = None
        self._again = False
        self.setVisible(False)
        window.refreshed.connect(self._members_refreshed)
        window.installEventFilter(self)

    @property
    def busy(self) -> bool:
        return self._task is not None and self._task.running

    # -- following the window --------------------------------------------------------------------
    def _members_refreshed(self) -> None:
        if self.window_.profile_name != self._profile:  # another organization: start afresh
            self._reset(self.window_.profile_name)
        if self.verification is not None:
            self._display()  # the last reading beside the members just shown
        self.check()

    def _reset(self, profile: str) -> None:
        self.stop()
        self._profile = profile
        self._last_read = None
        self.side = None
        self.verification = None
        self.details.clear()
        self.setVisible(False)

    def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and task.running:
            task.cancel()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window_ and event.type() == QEvent.Type.Close:
            self.stop()
        return False

    # -- reading Okta ----------------------------------------------------------------------------
    def check(self, *, force: bool = False) -> None:
        """Read Okta unless it was read within `MIN_INTERVAL_S` (or `force`)."""
        if self.busy:
            self._again = self._again or force
            return
        recent = self._last_read is not None and (
            time.monotonic() - self._last_read < MIN_INTERVAL_S
        )
        if recent and not force:
            return
        ctx, profile = self.window_.ctx, self.window_.profile_name
        members = _members(self.window_.model.rows)
        self._last_read = time.monotonic()
        self.check_button.setEnabled(False)

        def work(_control: TaskControl) -> Verification | None:
            from app.core.okta.reading import read_okta

            secrets = ctx.secrets_for(profile)
            if secrets.okta_url is None or secrets.okta_token is None:
                return None  # no Okta token with this profile: the window stays as it was
            found = ctx.profiles.get(profile)
            reading = read_okta(
                secrets.okta_url,
                secrets.okta_token,
                app_id=found.okta_app_id if found is not None else None,
                members=members,
                since=found.created if found is not None else None,
                cancel=_control.token,
            )
            return reading.verification

        self._task = run_task(
            self,
            work,
            on_success=lambda side: self._show(profile, side),
            on_failure=lambda exc: self._failed(profile, exc),
        )
        self._task.finished.connect(self._ended)

    def _ended(self) -> None:
        self.check_button.setEnabled(True)
        if self._again and not self.busy:
            self._again = False
            self.check(force=True)

    def _show(self, profile: str, verification: Verification | None) -> None:
        if profile != self.window_.profile_name:
            return
        self.verification = verification
        if verification is None:
            self.side = None
            self.setVisible(False)
            return
        self._display()

    def _display(self) -> None:
        """The last reading beside the members as the window shows them now."""
        from app.core.okta.compare import compare

        assert self.verification is not None
        side = self.side = compare(self.verification, _members(self.window_.model.rows))
        self.summary.setText(summary_text(side))
        self.details.setPlainText(side_text(side))
        self.setVisible(True)

    def _failed(self, profile: str, error: BaseException) -> None:
        from app.core.okta.verify import AppChoiceNeededError
        from app.gui.context import MissingSecrets

        if profile != self.window_.profile_name or isinstance(error, MissingSecrets):
            return
        self.side = self.verification = None
        if isinstance(error, AppChoiceNeededError):
            text = _tr(
                "Okta has several apps that may be Bitwarden's: pick this organization's on "
                "an Okta page of the setup (Organization → Run setup again for this "
                "organization), or see them with “scim-assistant okta verify --profile %1”."
            ).replace("%1", profile)
        else:
            text = _tr("Okta could not be read: %1").replace("%1", _plain(str(error)))
        self.summary.setText(text)
        self.details.clear()
        self.setVisible(True)

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText(_tr("Hide Okta details") if shown else _tr("Show Okta details"))
