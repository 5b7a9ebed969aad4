"""Plural wording without a translation file loaded.

Qt's `%n` plurals ("%n member(s)") read right only once a translation is installed, and this
program ships none yet; English would show "member(s)". Both forms go through `tr()`, each a
`{0}` template, so that translators still get them.
"""

from __future__ import annotations


def plural(count: int, one: str, many: str, *more: str) -> str:
    """`one` or `many` (already translated) with the count as `{0}` and `more` as `{1}`, …"""
    return (one if count == 1 else many).format(f"{count:,}", *more)
