"""`OktaChecks`: a page's "Check in Okta" — its steps read back from Okta, each ✔, ✘ with the fix,
or "Okta's API cannot show this" where that is the truth.

The reading is the core's (`read_okta`: the app, its assignments, push mappings, System Log, and
Bitwarden's members beside them), off the GUI thread in the page's task, so leaving the page
cancels it. One reading serves every Okta page (`SetupState.okta`); it is tied to the inputs it
was made with and is gone when the org URL, token, app or SCIM side change. Each page re-reads
when it opens, since the admin has just changed something in Okta. When Okta has several apps
that may be Bitwarden's, the panel lets the admin pick one. The first reading Okta accepts keeps
the token with the profile (keyring, or this session only when the profile was not saved).
Everything Okta sends is shown as plain text, cleaned of control and bidi characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.gui.widgets.form import add_row
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.run_row import StoppableRunRow

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.core.okta.reading import OktaReading
    from app.core.okta.verify import AppRef, Step
    from app.core.secrets import ProfileSecrets
    from app.gui.tasks import TaskControl
    from app.gui.wizard.base import SetupPage

#: How many people a list shows before "and N more".
LIST_LIMIT = 50
_MARK = {"ok": "✔", "fail": "✘", "unknown": "?"}
_COLOUR = {"ok": Tone.OK.value, "fail": Tone.ERROR.value, "unknown": "palette(text)"}
CANNOT_SHOW = "Okta's API cannot show this"


def _plain(text: str) -> str:
    from app.core.outside_text import clean

    return clean(text, 1000)


def step_text(title: str, step: Step) -> str:
    """One step as the page shows it: the mark, what it is, what Okta says, and the fix."""
    state = step.state.value
    message = _plain(step.message)
    if state == "unknown" and not message.startswith(CANNOT_SHOW):
        message = QCoreApplication.translate("OktaChecks", "Not known: {0}").format(message)
    # A step that is done says so in its own words; the others are named first.
    lines = [f"{_MARK[state]} {message}" if state == "ok" else f"{_MARK[state]} {title}: {message}"]
    if step.fix:
        lines.append(QCoreApplication.translate("OktaChecks", "Fix: {0}").format(_plain(step.fix)))
    return "\n".join(lines)


def _plain_label(parent: QWidget, accessible_name: str) -> QLabel:
    from PySide6.QtCore import Qt

    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(accessible_name)
    label.setVisible(False)
    return label


class OktaChecks(QWidget):
    """The check panel of one Okta page; `steps` are `(step id, what the step is)` in order."""

    #: A reading for the current inputs was shown (`SetupState.okta`), or a check ended without.
    updated = Signal()

    def __init__(
        self,
        page: SetupPage,
        steps: list[tuple[str, str]],
        *,
        not_provisioned: bool = False,
        mismatches: bool = False,
        missing: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(page)
        self.page = page
        self.state = page.state
        self.steps = steps
        self.with_not_provisioned = not_provisioned
        self.with_mismatches = mismatches
        #: On the page with the Okta connection: what is yet to be entered there, as a sentence.
        self.missing = missing
        self._again = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 8, 0, 0)
        self.runner = StoppableRunRow(
            self,
            (self.tr("Check in &Okta"), self.tr("Check these steps in Okta")),
            self.tr("Reading Okta"),
            stop=(self.tr("Stop checking"), self.tr("Stop the Okta check")),
        )
        self.run_button, self.progress = self.runner.run_button, self.runner.progress
        self.cancel_button = self.runner.stop_button
        self.runner.stopped.connect(self._cancelled)
        outer.addWidget(self.runner)
        self.status = MessageLabel(self.tr("Okta check status"), self)
        outer.addWidget(self.status)
        picker = QWidget(self)
        form = QFormLayout(picker)
        form.setContentsMargins(0, 0, 0, 0)
        self.app_picker = QComboBox(picker)
        self.app_picker.setAccessibleName(self.tr("The Bitwarden app in Okta"))
        add_row(form, self.tr("Bitwarden app &instance:"), self.app_picker)
        self.picker_row = picker
        picker.setVisible(False)
        outer.addWidget(picker)
        self.rows: dict[str, QLabel] = {}
        for step_id, title in steps:
            label = _plain_label(self, title)
            self.rows[step_id] = label
            outer.addWidget(label)
        self.people = _plain_label(self, self.tr("People Okta did not provision"))
        outer.addWidget(self.people)
        self.run_button.clicked.connect(self.run)
        self.app_picker.activated.connect(self._picked)
        self.refresh()

    # -- showing ---------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        task = self.runner.task
        return task is not None and task.running

    def refresh(self) -> None:
        """Show what is known for the inputs as they are now (nothing stale stays)."""
        self.run_button.setEnabled(self.state.has_okta and not self.busy)
        reading = self.state.okta
        if reading is None:
            for label in self.rows.values():
                label.setVisible(False)
            self.people.setVisible(False)
            if not self.busy:
                self._show_not_checked()
            return
        self._show(reading)

    def page_verified(self) -> bool:
        """Okta shows every step of this page done (none failed; unknowns do not count)."""
        reading = self.state.okta
        if reading is None:
            return False
        result = reading.verification
        return all(result.step(step_id).state.value != "fail" for step_id, _ in self.steps)

    def _show_not_checked(self) -> None:
        if not self.state.has_okta and self.missing is not None:
            self.status.show_lines(Tone.NEUTRAL, [self.missing()])
        elif not self.state.has_okta:
            self.status.show_lines(
                Tone.NEUTRAL,
                [
                    self.tr(
                        "Optional: with an Okta org URL and an API token or a service app (on "
                        "the page “Add the Bitwarden app in Okta”), these steps are checked in "
                        "Okta for you."
                    )
                ],
            )
        else:
            self.status.show_lines(Tone.NEUTRAL, [self.tr("Not checked in Okta yet.")])

    def _show(self, reading: OktaReading) -> None:
        result = reading.verification
        app = result.app
        failed = [s for s, _ in self.steps if result.step(s).state.value == "fail"]
        headline = (
            self.tr("Okta shows a problem in {0} of these steps.").format(len(failed))
            if failed
            else self.tr("Okta shows these steps done.")
        )
        lines = [
            headline,
            self.tr("Okta app “{0}” ({1}), checked at {2}.").format(
                _plain(app.label), _plain(app.id), _local_time(reading)
            ),
        ]
        if reading.note:
            lines.append(_plain(reading.note))
        self.status.show_lines(Tone.ERROR if failed else Tone.OK, lines)
        for step_id, title in self.steps:
            step = result.step(step_id)
            label = self.rows[step_id]
            text = step_text(title, step)
            label.setText(text)
            label.setAccessibleDescription(text)
            label.setStyleSheet(f"color: {_COLOUR[step.state.value]}")
            label.setVisible(True)
        self._show_people(reading)

    def _show_people(self, reading: OktaReading) -> None:
        result = reading.verification
        lines: list[str] = []
        if self.with_not_provisioned and result.not_provisioned:
            rows = result.not_provisioned
            lines.append(self.tr("Assigned in Okta but not in Bitwarden ({0}):").format(len(rows)))
            lines += [f"• {_plain(r.email)}: {_plain(r.reason)}" for r in rows[:LIST_LIMIT]]
            if len(rows) > LIST_LIMIT:
                lines.append(self.tr("…and {0} more.").format(len(rows) - LIST_LIMIT))
        if self.with_mismatches and result.username_mismatches:
            rows_m = result.username_mismatches
            lines.append(self.tr("App username is not the email ({0}):").format(len(rows_m)))
            lines += [f"• {_plain(m.email)}: {_plain(m.app_username)}" for m in rows_m[:LIST_LIMIT]]
            if len(rows_m) > LIST_LIMIT:
                lines.append(self.tr("…and {0} more.").format(len(rows_m) - LIST_LIMIT))
        self.people.setText("\n".join(lines))
        self.people.setAccessibleDescription("\n".join(lines))
        self.people.setVisible(bool(lines))

    # -- reading ---------------------------------------------------------------------------------
    def activate(self) -> None:
        """The page opened: re-read Okta (the admin just changed something there)."""
        self.refresh()
        if self.state.has_okta and not self.page.resuming():
            self.run()

    def run(self) -> None:
        from app.core.okta.reading import BitwardenSide, read_okta

        state = self.state
        url, token = state.okta_url, state.okta_credential
        if url is None or token is None:
            return
        if self.busy:
            self._again = True  # read once more when this one ends: something changed meanwhile
            return
        wizard = self.page.wizard()
        if wizard is not None and wizard.currentPage() is not self.page:
            return  # a late trigger (the demo's push ended) after the admin moved on
        inputs = state.okta_inputs()
        app_id = state.okta_app_id
        bitwarden = (
            BitwardenSide(
                state.scim_url,
                state.scim_key,
                state.client_id if state.public_api_verified else None,
                state.client_secret if state.public_api_verified else None,
                self.page.ca_file(),
            )
            if state.scim_key is not None and state.scim_url
            else None
        )
        to_save = self._secrets_to_save()
        ctx, name, saved = self.page.ctx, state.profile_name, state.secrets_saved

        def read(control: TaskControl) -> tuple[OktaReading, bool | None]:
            profile = ctx.profiles.get(name) if name else None
            reading = read_okta(
                url,
                token,
                app_id=app_id,
                bitwarden=bitwarden,
                since=profile.created if profile is not None else None,
                cancel=control.token,
            )
            # Okta accepted the token: keep it with the profile (None: nothing to keep it with).
            kept: bool | None = None
            if to_save is not None and saved and profile is not None:
                ctx.profiles.save(profile, to_save)
                kept = True
            elif to_save is not None:
                ctx.remember(name, to_save)
                kept = False
            if app_id and profile is not None and profile.okta_app_id != app_id:
                ctx.profiles.set_okta_app(name, app_id)  # the admin's pick, for the next reads
            return reading, kept

        self._set_busy(True)
        self.status.show_lines(Tone.NEUTRAL, [self.tr("Reading Okta…")])
        self._again = False
        task = self.page.start(
            read,
            on_success=lambda done: self._read(done, inputs),
            on_failure=self._failed,
        )
        self.runner.task = task
        task.cancelled.connect(self._cancelled)
        task.finished.connect(self._ended)

    def _ended(self) -> None:
        if self._again and not self.busy:
            self.run()

    def _secrets_to_save(self) -> ProfileSecrets | None:
        """The profile's secrets with this Okta credential, when it is new and a profile exists."""
        state = self.state
        if state.okta_verified or not state.profile_name or state.scim_key is None:
            return None
        try:
            secrets = state.profile_secrets()
        except ValueError:
            return None
        return secrets.model_copy(update=state.okta_secrets())

    def _read(self, done: tuple[OktaReading, bool | None], inputs: tuple[object, ...]) -> None:
        reading, saved_in_keyring = done
        self._set_busy(False)
        if inputs != self.state.okta_inputs():  # an input changed while Okta was read
            self.refresh()
            self.updated.emit()
            return
        self.state.set_okta(reading, inputs)
        self.state.okta_verified = True
        self.picker_row.setVisible(self.app_picker.count() > 1)
        self.refresh()
        if saved_in_keyring is not None:
            where = self._kept_text(saved_in_keyring)
            self.status.show_lines(self.status.tone, [*self.status.plain.split("\n"), where])
        self.updated.emit()

    def _kept_text(self, in_keyring: bool) -> str:
        if self.state.okta_token is None:  # the service app
            if in_keyring:
                return self.tr(
                    "The service app's client id and private key are saved in the keyring with "
                    "the profile."
                )
            return self.tr(
                "The service app's private key is kept until this program closes (not saved)."
            )
        if in_keyring:
            return self.tr("The Okta API token is saved in the keyring with the profile.")
        return self.tr("The Okta API token is kept until this program closes (not saved).")

    def _failed(self, error: BaseException) -> None:
        from app.core.okta.verify import AppChoiceNeededError

        self._set_busy(False)
        self.state.set_okta(None, ())
        self.refresh()
        if isinstance(error, AppChoiceNeededError):
            self._offer(error.apps)
            self.status.show_lines(
                Tone.WARNING,
                [
                    self.tr(
                        "Okta has {0} apps that may be Bitwarden's. Pick the one you set up "
                        "for this organization."
                    ).format(len(error.apps))
                ],
            )
        else:
            self.status.show_lines(
                Tone.ERROR, [self.tr("Okta could not be read: {0}").format(_plain(str(error)))]
            )
        self.updated.emit()

    def _offer(self, apps: list[AppRef]) -> None:
        self.app_picker.clear()
        self.app_picker.addItem(self.tr("Choose…"), None)
        for app in apps:
            status = f", {app.status.lower()}" if app.status else ""
            self.app_picker.addItem(f"{_plain(app.label)} ({_plain(app.id)}{status})", app.id)
        self.picker_row.setVisible(True)

    def _picked(self, index: int) -> None:
        app_id = self.app_picker.itemData(index)
        if not isinstance(app_id, str) or app_id == self.state.okta_app_id:
            return
        self.state.okta_app_id = app_id
        self.run()

    def _cancelled(self) -> None:
        self._again = False
        self._set_busy(False)
        self.refresh()

    def _set_busy(self, busy: bool) -> None:
        self.runner.set_busy(busy, can_run=self.state.has_okta)
        self.page.completeChanged.emit()


def _local_time(reading: OktaReading) -> str:
    return reading.read_at.astimezone().strftime("%H:%M:%S")
