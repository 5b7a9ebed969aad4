"""Plural wording without a translation file loaded.

Qt's `%n` plurals ("%n member(s)") read right only once a translation is installed, and this
program ships none yet; English would show "member(s)". Both forms go through `tr()` so that
translators still get them.
"""

from __future__ import annotations


def plural(count: int, one: str, many: str) -> str:
    """`one` or `many` (already translated, each with `%n`) with the count filled in."""
    return (one if count == 1 else many).replace("%n", f"{count:,}")
