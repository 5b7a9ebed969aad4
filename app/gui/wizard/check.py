"""Page 5, Test like Okta: the request Okta's "Test API Credentials" sends, made now from here.

The page shows that exact request (key masked), runs the core's check off the GUI thread with a
progress bar and Cancel, and shows the answer. Next stays disabled until the check passes; a failure
shows the core's explanation and fix, and Retry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.core.profiles import SetupStep
from app.gui.widgets import help_links
from app.gui.widgets.messages import MessageLabel, Tone
from app.gui.widgets.run_row import StoppableRunRow
from app.gui.widgets.text import escape, paragraph
from app.gui.wizard.base import SetupPage
from app.gui.wizard.ca_file_field import for_the_gui

if TYPE_CHECKING:
    from app.core.okta_check import CheckResult
    from app.gui.context import AppContext
    from app.gui.wizard.state import SetupState


class CheckPage(SetupPage):
    step = SetupStep.TEST

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(ctx, state, parent)
        self.setTitle(self.tr("Test the connection as Okta will"))
        self.setSubTitle(
            self.tr(
                "Okta's “Test API Credentials” button sends the request below. "
                "The assistant sends the same request now, from this computer."
            )
        )
        self.request = QPlainTextEdit(self)
        self.request.setReadOnly(True)
        self.request.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.request.setAccessibleName(self.tr("The request Okta will send"))
        self.request.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.request.setFixedHeight(self.request.fontMetrics().lineSpacing() * 8 + 14)
        self.add(paragraph(self.tr("The request:"), self))
        self.add(self.request)

        self.runner = StoppableRunRow(
            self,
            (self.tr("&Test like Okta"), self.tr("Test the SCIM URL and key like Okta")),
            self.tr("Testing"),
            stop=(self.tr("&Cancel test"), self.tr("Cancel the test")),
        )
        self.run_button, self.progress = self.runner.run_button, self.runner.progress
        self.cancel_button = self.runner.stop_button
        self.runner.stopped.connect(self._cancelled)
        self.add(self.runner)
        self.result = MessageLabel(self.tr("Test result"), self)
        self.add(self.result)
        #: A failure's likely causes as a list, and the fix with its link (not a red paragraph).
        self.explanation = paragraph("", self, rich=True)
        self.explanation.setAccessibleName(self.tr("Likely causes and the fix"))
        self.explanation.setVisible(False)
        self.add(self.explanation)
        self.details = MessageLabel(self.tr("Answer details"), self)
        self.add(self.details)
        self.warnings = MessageLabel(self.tr("Warnings"), self)
        self.add(self.warnings)
        self.ca_note = MessageLabel(self.tr("Certificate authority note"), self)
        self.add(self.ca_note)
        self.add(
            paragraph(
                self.tr(
                    "A test that passes here proves the URL and key are right; Okta must also be "
                    "able to reach the URL from the internet."
                ),
                self,
            )
        )
        self.end_with_help(
            [
                (self.tr("Okta: provisioning troubleshooting"), help_links.OKTA_TROUBLESHOOTING),
                (self.tr("Bitwarden: Okta SCIM integration"), help_links.BW_OKTA_SCIM),
            ]
        )
        self.run_button.clicked.connect(self.run_check)

    def initializePage(self) -> None:  # noqa: N802
        from app.core.okta_check import okta_request_preview

        preview = okta_request_preview(self.state.scim_url)
        lines = [f"{preview.method} {preview.url}"]
        lines += [f"{name}: {value}" for name, value in preview.headers.items()]
        self.request.setPlainText("\n".join(lines))
        ca_file = self.ca_file()
        self.ca_note.show_lines(
            Tone.WARNING,
            [
                self.tr(
                    "This test trusts the CA file {0}. Okta does not: it connects only to servers "
                    "with a certificate from a public CA, so a pass here does not mean Okta can "
                    "connect."
                ).format(ca_file)
            ]
            if ca_file is not None
            else [],
        )
        if self.state.check is None:
            self.show_not_checked()

    def show_explanation(self, causes: list[str], fix: str) -> None:
        """The likely causes as a list and the fix, its address a link (empty: hidden)."""
        parts: list[str] = []
        if causes:
            items = "".join(f"<li>{escape(cause)}</li>" for cause in causes)
            heading = escape(self.tr("Likely causes"))
            parts.append(f"<b>{heading}</b><ul>{items}</ul>")
        if fix:
            heading = escape(self.tr("How to fix it"))
            parts.append(f"<b>{heading}</b><br>{linked(fix)}")
        self.explanation.setText("".join(parts))
        self.explanation.setVisible(bool(parts))

    def show_not_checked(self) -> None:
        """No result for the inputs as they are now: nothing old stays on the page."""
        self.show_explanation([], "")
        self.result.show_lines(
            Tone.NEUTRAL, [self.tr("Not tested yet with this URL, key and CA file.")]
        )
        self.details.show_lines(Tone.NEUTRAL, [])
        self.warnings.show_lines(Tone.NEUTRAL, [])
        self.run_button.setText(self.tr("&Test like Okta"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.state.check_passed and not self.busy

    def next_hint(self) -> str | None:
        return self.tr("Next is available once the test passes.")

    def activate(self) -> None:
        if self.state.check is None:
            self.run_check()

    def run_check(self) -> None:
        from app.core.okta_check import check_credentials

        key = self.state.scim_key
        if key is None or self.busy:
            return
        url, ca_file = self.state.scim_url, self.ca_file()
        self.state.check = None
        inputs = self.state.check_inputs()
        self._set_busy(True)
        self.result.show_lines(Tone.NEUTRAL, [self.tr("Sending Okta's request…")])
        self.show_explanation([], "")
        self.details.show_lines(Tone.NEUTRAL, [])
        self.warnings.show_lines(Tone.NEUTRAL, [])
        task = self.start(
            lambda control: check_credentials(url, key, ca_file=ca_file, cancel=control.token),
            on_success=lambda result: self._finished(result, inputs),
            on_failure=lambda exc: self._failed(str(exc)),
        )
        self.runner.task = task
        task.cancelled.connect(self._cancelled)  # also when the admin leaves the page

    def _finished(self, result: CheckResult, inputs: tuple[object, ...]) -> None:
        self.state.set_check(result, inputs)
        self._set_busy(False)
        if self.state.check is None:  # an input changed while the test ran
            self.show_not_checked()
            return
        if result.ok:
            from app.core.okta_check import Verdict, verdict_headline

            reachable = result.verdict is Verdict.OKTA_WOULD_SUCCEED
            headline, detail = verdict_headline(result.verdict), result.message
            if detail.startswith(headline):  # the core's sentence opens with the verdict: once
                detail = detail.partition(": ")[2] or detail
            self.result.show_lines(Tone.OK if reachable else Tone.WARNING, [headline + ".", detail])
            self.run_button.setText(self.tr("&Test again"))
        else:
            advice = self.tr(
                "go Back to “Turn on SCIM on your server” and choose your CA's certificate file"
            )
            headline, causes, fix = explained(for_the_gui(result.message, advice))
            self.result.show_lines(Tone.ERROR, [headline])
            self.show_explanation(causes, fix)
            self.run_button.setText(self.tr("&Retry"))
        status = str(result.http_status) if result.http_status is not None else self.tr("none")
        self.details.show_lines(
            Tone.NEUTRAL,
            [
                self.tr("Answer: HTTP status {0}, after {1} ms ({2}).").format(
                    status, round(result.elapsed_ms), result.category.value
                )
            ],
        )
        from app.core.messages import WARN_PRIVATE_CA

        warnings = result.warnings
        if self.ca_note.plain:  # the note on the CA file already says it: one warning, not two
            warnings = [warning for warning in warnings if warning != WARN_PRIVATE_CA]
        self.warnings.show_lines(Tone.WARNING, warnings)

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.result.show_lines(Tone.ERROR, [message])
        self.run_button.setText(self.tr("&Retry"))

    def _cancelled(self) -> None:
        self._set_busy(False)
        self.result.show_lines(
            Tone.WARNING, [self.tr("Test cancelled. Select Retry to send the request again.")]
        )
        self.run_button.setText(self.tr("&Retry"))

    def _set_busy(self, busy: bool) -> None:
        self.runner.set_busy(busy, focus_stop=True)
        self.completeChanged.emit()


_URL = re.compile(r"https?://[^\s,;]+")


def explained(message: str) -> tuple[str, list[str], str]:
    """A core message as headline, likely causes and fix, where it says "Likely causes: …; …."
    and "Fix: …" (the 401 explanation); any other message is all headline."""
    headline, found, rest = message.partition(" Likely causes: ")
    if not found:
        return message, [], ""
    causes_text, _, fix = rest.partition(" Fix: ")
    causes = [cause.strip().rstrip(".") for cause in causes_text.split(";") if cause.strip()]
    fix = fix.strip()
    return (
        headline,
        [cause[:1].upper() + cause[1:] + "." for cause in causes],
        fix[:1].upper() + fix[1:],
    )


def linked(text: str) -> str:
    """`text` escaped, with its web addresses as links (opened through `open_in_browser`)."""
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".")
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return "".join(out).replace(" ,", ",")
