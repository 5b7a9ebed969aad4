"""Outside text (member e-mails, server messages) made safe to show as plain text."""

from __future__ import annotations

MAX_LENGTH = 500


def plain_text(text: str) -> str:
    """Without control, format (bidi overrides) or other unprintable characters; bounded length."""
    cleaned = text if text.isprintable() else "".join(c if c.isprintable() else " " for c in text)
    return cleaned[:MAX_LENGTH]
