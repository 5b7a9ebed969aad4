"""The members vocabulary (`app.core.vocabulary`) in the admin's language.

The core keeps one English word per status, role, column and switch, for the window, the CSV and
the command line alike; it marks each with `QT_TRANSLATE_NOOP("Vocabulary", …)`, so `lupdate`
puts them in the translation file. The window shows them through here; files keep the English.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def translated(word: str) -> str:
    """`word`, one of the core vocabulary's, as the installed translation has it."""
    return QCoreApplication.translate("Vocabulary", word)  # the context the core marks them in
