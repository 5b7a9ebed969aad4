"""The Qt binding keeps its references to None, True and False.

PySide6 6.12 drops one with every call that returns nothing (and every signal emitted). Python
3.12+ makes these objects immortal, so nothing shows; Python 3.11 aborts with "none_dealloc" once
the count reaches zero: the members window did after ~190 refreshes (~1.5 hours at its default
30 s). pyproject keeps such a binding out of a Python 3.11 install; this test fails if one comes
back, and the startup check says so to whoever runs it anyway.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.gui.application import BINDING_WARNING, qt_binding_drops_none, qt_binding_version

CALLS = 2_000


class _Emitter(QObject):
    ping = Signal(bool)


def test_qt_calls_keep_their_references_to_none_true_and_false(qtbot: QtBot) -> None:
    # The startup check first: with a bad binding the loop below would abort the test run.
    assert not qt_binding_drops_none(), BINDING_WARNING.format(
        qt_binding_version(), sys.version.split()[0]
    )
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    got: list[bool] = []
    emitter.ping.connect(got.append)
    before = {name: sys.getrefcount(value) for name, value in _SINGLETONS.items()}
    for n in range(CALLS):
        label.setText("x")  # returns nothing
        emitter.ping.emit(n % 2 == 0)  # a bool through a signal
        QCoreApplication.processEvents()
    after = {name: sys.getrefcount(value) for name, value in _SINGLETONS.items()}
    assert len(got) == CALLS
    # Other threads (the pool, a sandbox) may hold or let go of a few meanwhile; the bug is one
    # per call, thousands here.
    for name in _SINGLETONS:
        assert after[name] - before[name] > -CALLS // 10, (name, before[name], after[name])


_SINGLETONS = {"None": None, "True": True, "False": False}


def test_the_startup_check_names_the_way_out() -> None:
    text = BINDING_WARNING.format("6.12.0", "3.11.7")
    assert "pyside6<6.12" in text
    assert "Python 3.12" in text
