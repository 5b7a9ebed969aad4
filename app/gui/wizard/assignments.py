"""Page 9, Assignments and Push Groups: assign people in Okta and watch them arrive in Bitwarden.

While the page is open it reads the organization's SCIM users every few seconds (through the core,
off the GUI thread) and reports the users that appeared since the page opened: "Okta has provisioned
3 users" — and the groups Okta pushed since ("Okta has pushed 2 groups: Engineering (12), Sales
(4)"; member counts need the Public API key, so with only the SCIM key the names alone). When
nothing arrives for a while after the admin assigned people, it says what to look at.
In the demo, ticking "I assigned users" makes the sandbox play Okta's part. With an Okta token,
the admin may instead assign and push groups from here (`OktaApply`: review, then Apply).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTime, QTimer
from PySide6.QtWidgets import QCheckBox, QListWidget, QWidget

from app.core.outside_text import clean
from app.core.profiles import SetupStep
from app.gui.tasks import SingleFlight, TaskControl
from app.gui.widgets import help_links
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.text import bold, steps
from app.gui.wizard.base import SetupPage
from app.gui.wizard.okta_apply import OktaApply
from app.gui.wizard.okta_checks import OktaChecks

if TYPE_CHECKING:
    from app.core.groups import OrgGroup
    from app.core.scim_client import ScimUser
    from app.gui.context import AppContext
    from app.gui.tasks import Task
    from app.gui.wizard.state import SetupState

#: How often the organization is read while the page is open.
POLL_MS = 10_000
DEMO_POLL_MS = 1_000
#: How long after "I assigned" without any arrival the page starts giving hints.
HINT_AFTER_MS = 120_000
DEMO_HINT_AFTER_MS = 30_000


class AssignmentsPage(SetupPage):
    step = SetupStep.ASSIGNMENTS

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Assign people and push groups"))
        self.setSubTitle(
            self.tr(
                "Okta provisions the people assigned to the app; this page watches them arrive."
            )
        )
        self.add(
            steps(
                [
                    self.tr("In the app's {0} tab, select {1} → {2} or {3}.").format(
                        bold(self.tr("Assignments")),
                        bold(self.tr("Assign")),
                        bold(self.tr("Assign to People")),
                        bold(self.tr("Assign to Groups")),
                    ),
                    self.tr("Assign the people who should get Bitwarden, then select Done."),
                    self.tr("Optional: in the {0} tab, select {1} and choose groups.").format(
                        bold(self.tr("Push Groups")), bold(self.tr("+ Push Groups"))
                    ),
                ],
                self,
            )
        )
        self.assigned = QCheckBox(self.tr("I assigned people or groups in Okta"), self)
        self.assigned.setAccessibleName(self.assigned.text())
        self.add(self.assigned)
        if ctx.demo:
            note = MessageLabel(self.tr("Demo"), self)
            note.show_lines(
                Tone.INFO,
                [
                    self.tr(
                        "Demo: ticking the box makes the demo play Okta. It provisions five people "
                        "as Okta would, and some of them accept their invitation a few seconds "
                        "later."
                    )
                ],
            )
            self.add(note)
        self.status = MessageLabel(self.tr("Provisioning status"), self)
        self.add(self.status)
        self.arrivals = QListWidget(self)
        self.arrivals.setAccessibleName(self.tr("Users Okta has provisioned"))
        self.arrivals.setMaximumHeight(self.arrivals.fontMetrics().lineSpacing() * 7)
        self.arrivals.setVisible(False)
        self.add(self.arrivals)
        self.groups_status = MessageLabel(self.tr("Pushed groups"), self)
        self.add(self.groups_status)
        self.hints = MessageLabel(self.tr("What to look at"), self)
        self.add(self.hints)
        self.okta = OktaChecks(
            self,
            [
                ("assignments", self.tr("People and groups assigned")),
                ("group_push", self.tr("Push Groups")),
                ("provisioning_errors", self.tr("Provisioning errors in Okta's System Log")),
            ],
            not_provisioned=True,
            mismatches=True,
        )
        self.add(self.okta)
        #: Assign and push groups from here, only after the plan was shown and Apply clicked.
        self.apply_panel = OktaApply(self)
        self.add(self.apply_panel)
        self.apply_panel.applied.connect(self.okta.run)
        self.apply_panel.applied.connect(self.poll_now)
        self.okta.updated.connect(self.apply_panel.refresh)
        self.skip = QCheckBox(
            self.tr("Continue without waiting (the members window shows them later)"), self
        )
        self.skip.setAccessibleName(self.skip.text())
        self.add(self.skip)
        self.end_with_help(
            [
                (self.tr("Okta: assign an app to people"), help_links.OKTA_ASSIGN),
                (self.tr("Push Groups"), help_links.OKTA_GROUP_PUSH),
                (self.tr("Provisioning troubleshooting"), help_links.OKTA_TROUBLESHOOTING),
            ]
        )
        self._poll = QTimer(self)
        self._poll.setObjectName("assignments-poll")
        self._poll.setInterval(DEMO_POLL_MS if ctx.demo else POLL_MS)
        self._poll.timeout.connect(self.poll_now)
        self._hint = QTimer(self)
        self._hint.setObjectName("assignments-hints")
        self._hint.setSingleShot(True)
        self._hint.setInterval(DEMO_HINT_AFTER_MS if ctx.demo else HINT_AFTER_MS)
        self._hint.timeout.connect(self._show_hints)
        self._baseline: set[str] | None = None
        #: Groups there when the page first read the organization; the others Okta pushed.
        self._group_baseline: set[str] | None = None
        self.pushed_groups: list[OrgGroup] = []
        #: One read at a time; a request meanwhile (the demo pushed users) reads once more after.
        self._reads = SingleFlight(self, self._start_read)
        self._pushed = False
        self.assigned.toggled.connect(self._assigned_toggled)
        self.skip.toggled.connect(self.completeChanged)

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.state.provisioned) or self.skip.isChecked()

    def initializePage(self) -> None:  # noqa: N802
        self.okta.refresh()
        self.apply_panel.refresh()

    def next_hint(self) -> str | None:
        return self.tr(
            "Next is available once Okta has provisioned someone, or tick “Continue without "
            "waiting”."
        )

    def activate(self) -> None:
        self.okta.activate()
        self.apply_panel.refresh()
        self._poll.start()
        self.poll_now()
        if self.assigned.isChecked() and not self.state.provisioned:
            self._hint.start()
        self._show_status()

    def deactivate(self) -> None:
        self._poll.stop()
        self._hint.stop()
        super().deactivate()

    # -- watching --------------------------------------------------------------------------------
    def poll_now(self) -> None:
        """Read the organization now, or right after the read that is running."""
        self._reads.request()

    def _start_read(self) -> Task[tuple[list[ScimUser], list[OrgGroup]]] | None:
        from app.core.groups import read_groups, read_scim_groups
        from app.core.public_api import PublicApiClient
        from app.core.scim_client import ScimClient

        key = self.state.scim_key
        if key is None:
            return None
        url, ca_file = self.state.scim_url, self.ca_file()
        endpoints, client_id = self.state.endpoints, self.state.client_id
        secret = self.state.client_secret

        def read_users(control: TaskControl) -> tuple[list[ScimUser], list[OrgGroup]]:
            with ScimClient(url, key, ca_file=ca_file, timeout=15.0) as client:
                users = client.list_users(cancel=control.token)
                if endpoints is None or client_id is None or secret is None:
                    return users, read_scim_groups(client, cancel=control.token)
            with PublicApiClient(endpoints, client_id, secret, ca_file=ca_file) as api:
                return users, read_groups(api, cancel=control.token)

        return self.start(read_users, on_success=self._read, on_failure=self._read_failed)

    def _read(self, answer: tuple[list[ScimUser], list[OrgGroup]]) -> None:
        users, groups = answer
        self._read_groups(groups)
        ids = {user.id for user in users}
        if self._baseline is None:
            self._baseline = ids
            self._push_as_okta_once_watching()
        new = [user for user in users if user.id not in self._baseline]
        before = len(self.state.provisioned)
        self.state.provisioned = [user.email or user.user_name for user in new]
        if len(self.state.provisioned) != before:
            self.arrivals.clear()
            # Names from the server: one line each, no control or bidi characters.
            self.arrivals.addItems([clean(name, 200) for name in self.state.provisioned])
            self.arrivals.setVisible(bool(new))
            self.skip.setVisible(not new)  # nothing to skip once people arrived
            if new:
                self._hint.stop()
                self.hints.show_lines(Tone.NEUTRAL, [])
            self.completeChanged.emit()
            self.okta.run()  # Okta's side of what just arrived (a no-op without a token)
        self._show_status()

    def _read_groups(self, groups: list[OrgGroup]) -> None:
        from app.core.groups import pushed_summary

        if self._group_baseline is None:
            self._group_baseline = {group.id for group in groups}
        self.pushed_groups = [g for g in groups if g.id not in self._group_baseline]
        if not self.pushed_groups:
            self.groups_status.show_lines(Tone.NEUTRAL, [])
            return
        lines = [pushed_summary(self.pushed_groups)]
        if any(group.size is None for group in self.pushed_groups):
            lines.append(
                self.tr(
                    "Member counts need the Public API key (the next pages): Bitwarden's SCIM "
                    "does not return group members."
                )
            )
        self.groups_status.show_lines(Tone.OK, lines)

    def _read_failed(self, error: BaseException) -> None:
        self.status.show_lines(
            Tone.ERROR,
            [
                self.tr("The organization could not be read: {0}").format(error),
                self.tr("Trying again in a few seconds."),
            ],
        )

    def _show_status(self) -> None:
        count = len(self.state.provisioned)
        checked = QTime.currentTime().toString("HH:mm:ss")
        if count:
            text = (
                self.tr("Okta has provisioned 1 user.")
                if count == 1
                else self.tr("Okta has provisioned {0} users.").format(count)
            )
            self.status.show_lines(
                Tone.OK, [text, self.tr("The connection works. Last checked {0}.").format(checked)]
            )
        elif self._baseline is None:
            self.status.show_lines(Tone.NEUTRAL, [self.tr("Reading the organization…")])
        else:
            self.status.show_lines(
                Tone.NEUTRAL,
                [
                    self.tr("Watching the organization: no user from Okta yet."),
                    self.tr("Last checked {0}.").format(checked),
                ],
            )

    def _assigned_toggled(self, checked: bool) -> None:
        if not checked:
            self._hint.stop()
            return
        if not self.state.provisioned and self._poll.isActive():  # not while restoring the tick
            self._hint.start()
        self._push_as_okta_once_watching()

    def _push_as_okta_once_watching(self) -> None:
        """The demo plays Okta only once the organization as it was is known (the first read).

        Otherwise users pushed before the first read returned would count as already there, and the
        page would never report them.
        """
        demo = self.setup().demo
        if demo is None or self._pushed or not self.assigned.isChecked():
            return
        if self._baseline is None:
            return  # `_read` calls back here when the first read is in
        self._pushed = True
        task = demo.push_as_okta()
        task.progressed.connect(self._pushed_some)
        task.finished.connect(self.okta.run)

    def _pushed_some(self, _count: object) -> None:
        self.poll_now()

    def _show_hints(self) -> None:
        if self.state.provisioned:
            return
        self.okta.run()  # the System Log says why nobody arrives
        self.hints.show_lines(
            Tone.WARNING,
            [
                self.tr("Nothing has arrived yet. In Okta, look at:"),
                self.tr("• the app's View Logs, for provisioning errors;"),
                self.tr("• Dashboard → Tasks, for pushes that failed;"),
                self.tr(
                    "• the organization's seats in Bitwarden: a full organization refuses "
                    "new members;"
                ),
                self.tr("• usernames that are not email addresses;"),
                self.tr("• people who were already members: Okta links them and adds nobody."),
            ],
        )
