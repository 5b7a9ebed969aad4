"""Serialized JSON per list item, rebuilt only for the items that changed.

A 100,000-member list costs over a second to build and serialize from scratch; after a change to
one member only that member's fragment is rebuilt. Each item has a *stamp* (a tuple of the values
its JSON depends on); an item whose stamp is unchanged keeps its bytes. Callers hold the state
lock while rendering.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def dumps(value: Any) -> bytes:
    """Compact JSON, as System.Text.Json and koa-json write it (no spaces)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class FragmentCache:
    """Per-item JSON fragments keyed by item id and checked against the item's stamp."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Any, bytes]] = {}

    def render_array(self, items: Iterable[tuple[str, Any, T]], build: Callable[[T], Any]) -> bytes:
        """`[` + the fragments of `(id, stamp, item)` in order + `]`; forgets ids not seen.

        `build(item)` gives the JSON value of an item whose stamp changed (or is new).
        """
        entries = self._entries
        fresh: dict[str, tuple[Any, bytes]] = {}
        parts: list[bytes] = []
        for item_id, stamp, item in items:
            entry = entries.get(item_id)
            if entry is None or entry[0] != stamp:
                entry = (stamp, dumps(build(item)))
            fresh[item_id] = entry
            parts.append(entry[1])
        self._entries = fresh
        return b"[" + b",".join(parts) + b"]"

    def fragment(self, item_id: str, stamp: Any, build: Callable[[], Any]) -> bytes:
        """One item's bytes (a paged list renders a page, not the whole array)."""
        entry = self._entries.get(item_id)
        if entry is None or entry[0] != stamp:
            entry = (stamp, dumps(build()))
            self._entries[item_id] = entry
        return entry[1]

    def forget_all_but(self, item_ids: Collection[str]) -> None:
        """Drop the fragments of items that are gone (after `fragment` calls)."""
        if len(self._entries) > len(item_ids):
            self._entries = {k: v for k, v in self._entries.items() if k in item_ids}
