"""`known_members`: the rows shown, given back as the Public API summaries they came from, so an
unchanged member's text is not held twice during a refresh (bench: members_100000_peak_rss_mb)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.core.public_api import MemberStatus, MemberSummary, MemberType
from app.gui.members.rows import MemberRow, RowStatus
from app.gui.members.source import known_members, row_from_member, rows_from_members


def _summary(n: int, **changes: Any) -> MemberSummary:
    summary = MemberSummary(
        f"id-{n}",
        f"person{n}@example.com",
        f"Person {n}",
        MemberStatus.CONFIRMED,
        MemberType.USER,
        f"ext-{n}",
        n % 2 == 0,
        f"user-{n}",
    )
    return summary._replace(**changes)


def test_the_rows_give_back_the_summaries_they_were_built_from() -> None:
    summaries = [
        _summary(0),
        _summary(1, name=None, external_id=None, user_id=None, status=MemberStatus.INVITED),
        _summary(2, type=MemberType.OWNER, status=MemberStatus.REVOKED),
        _summary(3, status=MemberStatus.ACCEPTED, type=MemberType.CUSTOM),
    ]
    seen = {("id-1", int(MemberStatus.INVITED)): datetime(2026, 1, 2, tzinfo=UTC)}
    known = known_members(rows_from_members(summaries, seen, {}))
    for summary in summaries:
        found = known(summary.id)
        assert found == summary
        assert found is not None
        assert type(found.status) is MemberStatus
        assert type(found.type) is MemberType
    assert known("id-9") is None


def test_rows_that_cannot_be_told_apart_find_no_match() -> None:
    blank = _summary(0, name="")  # shown as "", as a missing name is: never claimed equal
    scim = MemberRow("scim-1", "a@example.com", status=RowStatus.PROVISIONED)  # SCIM-only view
    known = known_members([row_from_member(blank, None), scim])
    assert known(blank.id) != blank
    assert known(scim.id) is None
