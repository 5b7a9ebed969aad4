"""Outside text (member e-mails, server messages) made safe to show as plain text."""

from __future__ import annotations

from app.core.outside_text import clean

MAX_LENGTH = 500


def plain_text(text: str) -> str:
    """One line without control, format (bidi overrides) or unprintable characters; bounded."""
    return clean(text, MAX_LENGTH)
