"""Child process: start a GUI; print `PAINTED <time.monotonic()>` at its first wizard page's paint.

`python -m bench.paint_probe demo` runs `scim-assistant --demo` exactly as the entry point does
(`app.cli.main`); `python -m bench.paint_probe bare` shows a hello-world PySide6 QWizard. Both are
started the same way, through this module, so the wrapper costs both the same.

Paint is detected by an application-wide event filter: the first `Paint` event of a widget inside a
visible QWizard page, then a zero timer so the whole frame (window, page, buttons) is done. The
filter is installed when the QApplication is created; for the demo by wrapping
`app.gui.application.create_application` before `app.gui.launch` imports it (if that ever changes,
the probe prints nothing and the parent reports the timeout).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

MARK = "PAINTED"


def _install_paint_hook(app: Any) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget, QWizard

    class FirstPaint(QObject):
        def __init__(self) -> None:
            super().__init__(app)
            self.seen = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if (
                not self.seen
                and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and isinstance(watched.window(), QWizard)
            ):
                wizard = watched.window()
                page = wizard.currentPage() if isinstance(wizard, QWizard) else None
                if page is not None and (watched is page or page.isAncestorOf(watched)):
                    self.seen = True
                    QTimer.singleShot(0, report)
            return False

    def report() -> None:
        sys.stdout.write(f"{MARK} {time.monotonic():.6f}\n")
        sys.stdout.flush()
        if os.environ.get("BENCH_PROBE_PROFILE"):  # let a profiler wrapping us write its report
            app.quit()
            return
        os._exit(0)  # no teardown: neither variant pays for it

    app.installEventFilter(FirstPaint())


def run_demo() -> int:
    import app.gui.application as application

    original = application.create_application

    def create_with_hook(*args: Any, **kwargs: Any) -> Any:
        qt_app = original(*args, **kwargs)
        _install_paint_hook(qt_app)
        return qt_app

    application.create_application = create_with_hook
    from app.cli import main

    return main(["--demo"])


def run_bare() -> int:
    from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWizard, QWizardPage

    qt_app = QApplication(sys.argv[:1])
    _install_paint_hook(qt_app)
    wizard = QWizard()
    page = QWizardPage()
    page.setTitle("Hello")
    layout = QVBoxLayout(page)
    layout.addWidget(QLabel("Hello, world."))
    wizard.addPage(page)
    wizard.show()
    return qt_app.exec()


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "demo":
        sys.exit(run_demo())
    if mode == "bare":
        sys.exit(run_bare())
    sys.exit("usage: python -m bench.paint_probe demo|bare")
