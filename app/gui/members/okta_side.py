"""The members window's Okta side: reads Okta for the table's Okta column and filters.

Shown only when the profile has an Okta API token (saved by the wizard or `profile save
--okta-url … --okta-token-env …`); without one the window is as before. After a members refresh
it reads Okta through the core (`read_okta`, off the GUI thread; after the fetch, not beside it:
measured, a read beside it made the table's own refresh 2.6 times slower) with the members the
window has just shown, so a conflict names the Bitwarden member holding the e-mail. The reading
is indexed on that worker (`okta_index`); the model's Okta column looks members up in it when
painted, and which members each Okta filter selects is matched on a worker after each refresh.
Okta is read at most once a minute however often the members refresh (Okta's rate limits are
per minute and shared with the org's other integrations); "Check Okta now" reads it at once. A
failed read keeps the last values, marked stale, with the sentence. This panel is one line: which
app, when read, the counts, or why Okta could not be read. Everything Okta sends is plain text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, overload

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.gui.members.model import stale_sentence
from app.gui.members.okta_index import OktaIndex, OktaMatches, build_index, match
from app.gui.tasks import SingleFlight, run_task

if TYPE_CHECKING:
    from collections.abc import Iterator

    from app.core.okta.verify import BitwardenMember
    from app.gui.members.rows import MemberRow
    from app.gui.members.window import MembersWindow
    from app.gui.tasks import Task, TaskControl

#: The least time between two automatic reads of Okta (a members refresh may come every 5 s).
MIN_INTERVAL_S = 60.0


def _plain(text: str) -> str:
    from app.core.outside_text import clean

    return clean(text, 1000)


def summary_text(matches: OktaMatches) -> str:
    okta = matches.index
    text = (
        QCoreApplication.translate(
            "OktaSide",
            "Okta (app “{0}”, read {1}): {2} in Okta but not in Bitwarden · {3} in Bitwarden but "
            "not assigned",
        ).format(
            _plain(okta.app_label),
            okta.read_at.astimezone().strftime("%H:%M"),
            str(len(matches.not_in_bitwarden)),
            str(len(matches.not_assigned)),
        )
    ) + QCoreApplication.translate("OktaSide", " · {0} app usernames ≠ email").format(
        str(len(matches.username_mismatch))
    )
    if okta.stale:
        text = stale_sentence(okta) + " " + text
    return text


class MembersOf(Sequence["BitwardenMember"]):
    """The rows as the core's `BitwardenMember`s, made only when read: the core reads them only to
    name the member behind a failure, so a read without failures converts none of 10,000."""

    def __init__(self, rows: tuple[MemberRow, ...]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> BitwardenMember: ...
    @overload
    def __getitem__(self, index: slice) -> list[BitwardenMember]: ...
    def __getitem__(self, index: int | slice) -> BitwardenMember | list[BitwardenMember]:
        if isinstance(index, slice):
            return [_member(r) for r in self._rows[index]]
        return _member(self._rows[index])

    def __iter__(self) -> Iterator[BitwardenMember]:
        return map(_member, self._rows)


def _member(row: MemberRow) -> BitwardenMember:
    from app.core.okta.verify import BitwardenMember

    return BitwardenMember(row.email, row.status.name.lower(), row.external_id)


class OktaSidePanel(QFrame):
    """Attached to a members window: follows its refreshes, profile switches and closing."""

    #: The reading or the matches changed (the window updates its column, chips and filter).
    changed = Signal()
    #: Neither a read of Okta nor a match runs any more.
    settled = Signal()

    def __init__(self, window: MembersWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Okta side"))
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Okta side summary"))
        row.addWidget(self.summary, 1)
        self.check_button = QPushButton(self.tr("Check Okta now"), self)
        self.check_button.setAccessibleName(self.tr("Read Okta now"))
        self.check_button.clicked.connect(lambda: self.check(force=True))
        row.addWidget(self.check_button)
        #: The last reading of Okta for this profile, and what each filter selects of the rows.
        self.index: OktaIndex | None = None
        self.matches: OktaMatches | None = None
        self._profile: str | None = None
        self._last_read: float | None = None
        self._task: Task[Any] | None = None
        self._again = False
        #: Matching the rows a refresh brought with the last reading: one at a time, latest wins.
        self._matching = SingleFlight(self, self._start_match)
        self._matching.settled.connect(self._maybe_settled)
        self.setVisible(False)
        window.refreshed.connect(self._members_refreshed)
        window.installEventFilter(self)

    @property
    def busy(self) -> bool:
        """Okta is being read, or the rows matched."""
        return self.reading or self._matching.running or self._matching.queued

    @property
    def reading(self) -> bool:
        return self._task is not None and self._task.running

    # -- following the window --------------------------------------------------------------------
    def _members_refreshed(self) -> None:
        if self.window_.profile_name != self._profile:  # another organization: start afresh
            self.reset(self.window_.profile_name)
        self.check()
        if self.index is not None and not self.reading:
            self._matching.request()  # the last reading beside the members just shown
        # (A read that starts now matches the rows itself; when it fails, _failed matches.)

    def reset(self, profile: str) -> None:
        """Forget Okta's reading (another organization is shown)."""
        self.stop()
        self._profile = profile
        self._last_read = None
        self._set(None, None)
        self.setVisible(False)

    def stop(self) -> None:
        self._matching.cancel()
        task, self._task = self._task, None
        if task is not None and task.running:
            task.cancel()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.window_ and event.type() == QEvent.Type.Close:
            self.stop()
        return False

    def _set(self, index: OktaIndex | None, matches: OktaMatches | None) -> None:
        changed = index is not self.index or matches is not self.matches
        self.index, self.matches = index, matches
        if index is not self.window_.model.okta:
            self.window_.model.set_okta(index)
        if changed:
            self.changed.emit()

    # -- matching the rows -----------------------------------------------------------------------
    def _start_match(self) -> Task[OktaMatches] | None:
        index = self.index
        if index is None:
            return None
        model = self.window_.model
        rows, generation, profile = tuple(model.rows), model.generation, self._profile

        def work(_ctl: TaskControl) -> OktaMatches:
            return match(index, rows, generation)

        def done(matches: OktaMatches) -> None:
            if profile != self._profile:
                return
            if matches.index is self.index:
                self._show_matches(matches)
            elif self.index is not None:
                self._matching.request()  # a newer reading came meanwhile: match with it

        return run_task(self, work, on_success=done)

    def _show_matches(self, matches: OktaMatches) -> None:
        self._set(matches.index, matches)
        self.summary.setText(summary_text(matches))
        self.setVisible(True)

    # -- reading Okta ----------------------------------------------------------------------------
    def check(self, *, force: bool = False) -> None:
        """Read Okta unless it was read within `MIN_INTERVAL_S` (or `force`)."""
        if self.reading:
            self._again = self._again or force
            return
        recent = self._last_read is not None and (
            time.monotonic() - self._last_read < MIN_INTERVAL_S
        )
        if recent and not force:
            return
        ctx, profile, model = self.window_.ctx, self.window_.profile_name, self.window_.model
        rows, generation = tuple(model.rows), model.generation  # converted on the worker
        self._last_read = time.monotonic()
        self.check_button.setEnabled(False)

        def work(control: TaskControl) -> OktaMatches | None:
            from app.core.okta.reading import profile_credential, read_okta

            secrets = ctx.secrets_for(profile)
            credential = profile_credential(secrets)
            if secrets.okta_url is None or credential is None:
                return None  # no Okta credential with this profile: the window stays as it was
            found = ctx.profiles.get(profile)
            reading = read_okta(
                secrets.okta_url,
                credential,
                app_id=found.okta_app_id if found is not None else None,
                members=MembersOf(rows),
                since=found.created if found is not None else None,
                cancel=control.token,
                people_only=True,  # the window shows people, not the steps
            )
            index = build_index(reading.verification, reading.read_at)
            return match(index, rows, generation)

        self._task = run_task(
            self,
            work,
            on_success=lambda matches: self._show(profile, matches),
            on_failure=lambda exc: self._failed(profile, exc),
        )
        self._task.finished.connect(self._ended)

    def _ended(self) -> None:
        self.check_button.setEnabled(True)
        if self._again and not self.reading:
            self._again = False
            self.check(force=True)
            return
        self._maybe_settled()

    def _maybe_settled(self) -> None:
        if not self.busy:
            self.settled.emit()

    def _show(self, profile: str, matches: OktaMatches | None) -> None:
        if profile != self.window_.profile_name:
            return
        if matches is None:
            self._set(None, None)
            self.setVisible(False)
            return
        self._show_matches(matches)
        if matches.generation != self.window_.model.generation:
            self._matching.request()  # a refresh landed while Okta was read

    def _failed(self, profile: str, error: BaseException) -> None:
        from app.core.okta.verify import AppChoiceNeededError
        from app.gui.context import MissingSecrets

        if profile != self.window_.profile_name or isinstance(error, MissingSecrets):
            return
        if isinstance(error, AppChoiceNeededError):
            text = self.tr(
                "Okta has several apps that may be Bitwarden's: pick this organization's on "
                "an Okta page of the setup (Organization → Run setup again for this "
                "organization), or see them with “scim-assistant okta verify --profile {0}”."
            ).format(profile)
        else:
            text = self.tr("Okta could not be read: {0}").format(_plain(str(error)))
        if self.index is not None and self.matches is not None:
            # The last good reading stays, marked stale, with the sentence (and is matched with
            # the rows shown now: the read that failed was to do that).
            stale = self.index.marked_stale(text, datetime.now(UTC))
            matches = OktaMatches(
                stale,
                self.matches.generation,
                self.matches.not_assigned,
                self.matches.username_mismatch,
                self.matches.not_in_bitwarden,
            )
            self._show_matches(matches)
            if matches.generation != self.window_.model.generation:
                self._matching.request()
            return
        self._set(None, None)
        self.summary.setText(text)
        self.setVisible(True)
