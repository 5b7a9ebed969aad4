"""`SetupPage`: what every wizard page shares.

A scrollable body (pages stay usable in a small window), the shared `SetupState` and `AppContext`,
background calls that are cancelled when the admin leaves the page, and `activate`/`deactivate`
hooks the wizard calls when a page becomes current or stops being current (in either direction).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.gui.widgets.text import links

if TYPE_CHECKING:
    from pathlib import Path

    from app.core.profiles import SetupStep
    from app.gui.context import AppContext
    from app.gui.tasks import Task, TaskControl
    from app.gui.wizard.state import SetupState
    from app.gui.wizard.wizard import SetupWizard

T = TypeVar("T")


class SetupPage(QWizardPage):
    """Base of every page; subclasses build their widgets in `__init__` into `self.body`."""

    #: The page's `SetupStep` (a str enum; the welcome page uses the plain value to start light).
    step: ClassVar[SetupStep | str]
    #: Long pages scroll inside a small window; the first page fits and paints faster without.
    scrollable: ClassVar[bool] = True

    def __init__(self, ctx: AppContext, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state = state
        self._tasks: list[Task[Any]] = []
        if not self.scrollable:
            self.body = QVBoxLayout(self)
            self.body.setContentsMargins(0, 0, 0, 0)
            return
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget(scroll)
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(0, 0, 8, 0)
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        self._scroll = scroll
        # A scroll area follows Tab, not a shortcut (Alt+O, …): the widget it reaches, and what it
        # then shows beside it, could stay out of sight below, as if the key did nothing.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        inner = self._scroll.widget()
        if new is not None and inner is not None and inner.isAncestorOf(new):
            self._scroll.ensureWidgetVisible(new)

    def setup(self) -> SetupWizard:
        return cast("SetupWizard", self.wizard())

    def ca_file(self) -> Path | None:
        """The extra CA file the checks trust: the one chosen in this setup, else the session's."""
        return self.state.ca_file or self.ctx.ca_file

    def add(self, widget: QWidget, stretch: int = 0) -> QWidget:
        self.body.addWidget(widget, stretch)
        return widget

    def end_with_help(self, pairs: list[tuple[str, str]]) -> None:
        """Push the content up and put the help links at the bottom."""
        self.body.addStretch(1)
        label = links([(self.tr("Help: {0}").format(pairs[0][0]), pairs[0][1]), *pairs[1:]], self)
        self.body.addWidget(label)

    # -- background work ---------------------------------------------------------------------------
    def start(
        self,
        work: Callable[[TaskControl], T],
        on_success: Callable[[T], Any],
        on_failure: Callable[[BaseException], Any] | None = None,
        on_progress: Callable[[Any], Any] | None = None,
    ) -> Task[T]:
        """`run_task` owned by this page, cancelled by `deactivate`."""
        from app.gui.tasks import run_task  # imported on first use, after the first paint

        task = run_task(
            self, work, on_success=on_success, on_failure=on_failure, on_progress=on_progress
        )
        self._tasks.append(task)
        task.finished.connect(lambda: self._forget(task))
        return task

    def _forget(self, task: Task[Any]) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
            task.deleteLater()
            self.completeChanged.emit()  # `busy` is part of most pages' isComplete

    @property
    def busy(self) -> bool:
        """A task of this page still runs (a cancelled one stops counting at once)."""
        return any(task.running for task in self._tasks)

    # -- why Next is grey -------------------------------------------------------------------------
    def next_hint(self) -> str | None:
        """What the admin still has to do before Next is available (None: nothing to say)."""
        return None

    def show_next_hint(self, text: str | None) -> None:
        """Show `text` under the page, next to the wizard's buttons (None hides it)."""
        from app.gui.widgets.messages import MessageLabel, Tone

        label = self.findChild(MessageLabel, "next_hint")
        if label is None:
            if not text:
                return
            label = MessageLabel(self.tr("Why Next is not available"), self)
            label.setObjectName("next_hint")
            layout = self.layout()
            assert layout is not None
            layout.addWidget(label)
        label.show_lines(Tone.NEUTRAL, [text] if text else [])

    # -- wizard hooks ----------------------------------------------------------------------------
    def activate(self) -> None:
        """The page became current (after `initializePage`): start what it watches or checks."""

    def deactivate(self) -> None:
        """The page stopped being current or the wizard closes: stop waiting for anything."""
        for task in list(self._tasks):
            task.cancel()

    def resuming(self) -> bool:
        """True while the wizard walks to a saved step: pages then start nothing."""
        return self.setup().resuming
