"""Search-as-you-type over 100,000 members in one C-speed pass, Qt-free.

A `QSortFilterProxyModel` calls a Python `filterAcceptsRow` per row per keystroke, far too slow
at this size. Instead the lower-cased search keys are laid out in display order and every key is
tested by `operator.contains` mapped over the keys and `itertools.compress` (no bytecode per key:
the scan is bound by the substring search itself, about 5-9 ms for 100,000 keys). Typing one more
letter narrows the previous result, testing the keys in display order (fresh copies that lie next
to each other in memory: keys scattered over the heap cost about 1 µs each, ten times more), and
Backspace gets the remembered answers of the prefixes just typed. The keys are held once: no
joined copy of them all (and no offsets into one) stays beside them (9 MB at 100,000 rows; bench:
members_100000_peak_rss_mb).
"""

from __future__ import annotations

import operator
from array import array
from collections import OrderedDict
from collections.abc import Collection, Sequence
from itertools import compress, repeat

#: Keys copied per call (see `SearchIndex.__init__`).
_COPY_SLICE = 2048
#: Answers remembered per index (a refresh builds a new index, so they never go stale).
_RECENT_ANSWERS = 24
#: Narrow the previous result (rather than scan all keys) when it holds under 1/this of the rows.
_NARROW_SHARE = 2


class SearchIndex:
    """The search keys and statuses of the rows, laid out in display (sorted) order."""

    def __init__(self, keys: Sequence[str], statuses: Sequence[int], order: Sequence[int]) -> None:
        # Fresh int objects, allocated together (a scan touches every one it keeps).
        self.order: list[int] = list(array("l", order))
        self._statuses = statuses  # by source row
        # Fresh copies, allocated one after the other (split from a joined string, dropped at
        # once): a scan then reads memory in order, about 3x faster than chasing keys allocated
        # all over the heap during a refresh. A slice per call: one split of 100,000 keys held
        # the GIL, so the GUI thread, for up to 40 ms (bench: members_100000_worst_frame_gap_ms).
        self._ordered_keys: list[str] = []
        for start in range(0, len(self.order), _COPY_SLICE):
            wanted = [keys[i] for i in self.order[start : start + _COPY_SLICE]]
            split = "\n".join(wanted).split("\n")
            self._ordered_keys += split if len(split) == len(wanted) else wanted
        # The same fresh copies by source row, for narrowing: a result in display order then
        # reads them in memory order too (the original keys cost ~1 µs each, scattered).
        self._keys_by_row: list[str] = list(self._ordered_keys)
        for position, row in enumerate(self.order):
            self._keys_by_row[row] = self._ordered_keys[position]
        self._ordered_statuses: list[int] = [statuses[i] for i in self.order]
        self._last: tuple[str, frozenset[int] | None, list[int]] | None = None
        #: Source row -> display position, built on the first `subset` call.
        self._rank: list[int] | None = None
        # Recent answers: Backspace walks back through the prefixes just typed.
        self._recent: OrderedDict[tuple[str, frozenset[int] | None], list[int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self.order)

    @property
    def keys_by_row(self) -> list[str]:
        """The index's copies of the keys, by source row (the model keeps these, not its own)."""
        return self._keys_by_row

    def release(self, slice_size: int = 2000) -> None:
        """Empty the index a slice at a time, on a worker thread.

        Freeing 100,000 keys and ints at once held the GIL for 10-30 ms, on the GUI thread when
        a refresh replaced the index (bench: members_100000_max_stall_ms). The window hands the
        replaced index to the next refresh's worker, which calls this.
        """
        self._recent.clear()
        self._last = None
        self._rank = None
        for items in (
            self._keys_by_row,
            self._ordered_keys,
            self._ordered_statuses,
            self.order,
        ):
            while items:
                del items[-slice_size:]

    def subset(
        self, rows: Collection[int], query: str, statuses: Collection[int] | None = None
    ) -> list[int]:
        """`match` limited to the source `rows` (a group, the expired invitations), without
        scanning every key: the few rows are tested and put in display order."""
        if self._rank is None:
            rank = [0] * len(self.order)
            for position, row in enumerate(self.order):
                rank[row] = position
            self._rank = rank
        query = query.lower().strip()
        keys, wanted = self._keys_by_row, frozenset(statuses) if statuses is not None else None
        found = [
            row
            for row in rows
            if (wanted is None or self._statuses[row] in wanted)
            and (not query or query in keys[row])
        ]
        found.sort(key=self._rank.__getitem__)
        return found

    def match(self, query: str, statuses: Collection[int] | None = None) -> list[int]:
        """Source rows whose key contains `query` (lower-cased) and whose status is in `statuses`.

        The result is in display order. `statuses=None` means every status.
        """
        query = query.lower().strip()
        wanted = frozenset(statuses) if statuses is not None else None
        remembered = self._recent.get((query, wanted))
        if remembered is not None:
            self._recent.move_to_end((query, wanted))
            self._last = (query, wanted, remembered)
            return list(remembered)
        previous = self._last
        if (
            previous is not None
            and previous[1] == wanted
            and query.startswith(previous[0])
            and len(previous[2]) * _NARROW_SHARE < len(self.order)
        ):
            # One more letter typed: only the previous hits can still match.
            keys = self._keys_by_row
            rows = [row for row in previous[2] if query in keys[row]]
        else:
            rows = self._rows_matching(query, wanted)
        self._last = (query, wanted, rows)
        self._recent[(query, wanted)] = rows
        if len(self._recent) > _RECENT_ANSWERS:
            self._recent.popitem(last=False)
        return list(rows)

    def _rows_matching(self, query: str, wanted: frozenset[int] | None) -> list[int]:
        if "\n" in query:  # no key holds one (`MemberRow.search_key`)
            return []
        if not query:
            if wanted is None:
                return self.order
            return list(compress(self.order, map(wanted.__contains__, self._ordered_statuses)))
        found = map(operator.contains, self._ordered_keys, repeat(query))
        rows = list(compress(self.order, found))
        if wanted is None:
            return rows
        statuses = self._statuses
        return [row for row in rows if statuses[row] in wanted]
