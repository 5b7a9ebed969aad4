"""Text from outside the program, made fit to show a person; and the one `Retry-After` reader.

Member names and emails are chosen by members; server messages, headers and exception texts by
whoever answers. Any of them may carry terminal escapes (`\\x1b]0;…`, C1 `\\x9b`), CR/LF that fake
a second line, bidi overrides (U+202E shows `moc.live@` as `@evil.com`), or ten thousand
characters. Every place that shows such text to a person (the command line, the GUI, a desktop
notification) passes it through `clean` (one line) or `printable` (same length, for tables).
Rich text is a separate matter: the GUI also sets `Qt.PlainText` wherever this text appears.
"""

from __future__ import annotations

import math
import time
from email.utils import parsedate_to_datetime

#: The default cap for one piece of outside text in a message.
MESSAGE_LIMIT = 300
ELLIPSIS = "…"
#: Format characters that join, never reorder: kept, or emoji and Persian/Indic words break.
_JOINERS = frozenset("\u200c\u200d")


def printable(text: str) -> str:
    """`text` with every control, format (bidi overrides, zero-width marks) and separator
    character other than the ASCII space replaced by a space; the length stays the same."""
    if text.isprintable():  # the common case, without a Python step per character
        return text
    return "".join(ch if ch.isprintable() or ch in _JOINERS else " " for ch in text)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the last an ellipsis when cut."""
    if limit < 1:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def clean(text: str, limit: int | None = MESSAGE_LIMIT) -> str:
    """One line fit to show: `printable`, runs of spaces folded to one, stripped, capped."""
    line = " ".join(printable(text).split())
    return line if limit is None else shorten(line, limit)


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date, RFC 9110
    §10.2.3); None when it is missing, unreadable or not finite (`inf`, `nan`, 1e400 must not
    reach a message or a timer). A date in the past is 0. Callers cap it as their case needs."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        try:
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (OverflowError, ValueError, OSError):
            return None
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
