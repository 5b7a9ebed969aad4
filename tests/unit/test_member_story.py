"""The details panel's story of one member, from the history (time injected, no window)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.core.history import StatusChange
from app.core.invitations import invitation
from app.core.public_api import MemberStatus
from app.gui.members.member_story import member_story, pending_causes
from app.gui.members.rows import MemberRow, RowStatus

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _change(old: MemberStatus | None, new: MemberStatus, days_ago: float) -> StatusChange:
    return StatusChange(
        member_id="m1", email="a@x.example", old=old, new=new, at=NOW - timedelta(days=days_ago)
    )


def test_a_long_pending_invitation_lists_the_known_causes_and_what_to_tell_the_person() -> None:
    first = NOW - timedelta(days=6)
    row = MemberRow(
        "m1", "a@x.example", "Ann\u202eEvil", RowStatus.INVITED, first_seen_waiting=first
    )
    story = member_story(
        row, [_change(None, MemberStatus.INVITED, 6)], [], invitation(first, None, NOW), NOW
    )
    assert story.title == "Ann Evil <a@x.example>"  # the bidi override is gone
    assert story.status_line == (
        "Invited, not accepted: invited 6 days ago (first seen); probably expired."
    )
    assert [event for _at, event in story.timeline] == ["first seen invited"]
    text = "\n".join(story.advice)
    assert "Bitwarden reports no invitation dates" in text
    for cause, what_to_tell in pending_causes():
        assert cause in text
        assert what_to_tell in text


def test_a_fresh_invitation_has_no_causes_yet_and_a_reinvite_shows_in_the_timeline() -> None:
    first = NOW - timedelta(days=3)
    reinvited = NOW - timedelta(hours=2)
    row = MemberRow(
        "m1",
        "a@x.example",
        status=RowStatus.INVITED,
        first_seen_waiting=first,
        last_reinvite=reinvited,
    )
    story = member_story(
        row,
        [_change(None, MemberStatus.INVITED, 3)],
        [reinvited],
        invitation(first, reinvited, NOW),
        NOW,
    )
    assert story.status_line == (
        "Invited, not accepted: reinvited 2 hours ago; expires in about 5 days."
    )
    assert [e for _at, e in story.timeline] == [
        "first seen invited",
        "reinvited by this program (a new link)",
    ]
    assert not any(cause in "\n".join(story.advice) for cause, _ in pending_causes())


def test_a_revoked_member_says_since_when_and_how_to_restore() -> None:
    row = MemberRow("m1", "a@x.example", status=RowStatus.REVOKED)
    changes = [
        _change(None, MemberStatus.INVITED, 10),
        _change(MemberStatus.INVITED, MemberStatus.ACCEPTED, 9),
        _change(MemberStatus.ACCEPTED, MemberStatus.CONFIRMED, 8),
        _change(MemberStatus.CONFIRMED, MemberStatus.REVOKED, 2),
    ]
    story = member_story(row, changes, [], None, NOW)
    since = (NOW - timedelta(days=2)).astimezone().strftime("%Y-%m-%d %H:%M")
    assert story.status_line == f"Revoked since {since} (first seen): no access, uses no seat."
    assert [e for _at, e in story.timeline] == [
        "first seen invited",
        "accepted the invitation",
        "confirmed",
        "revoked",
    ]
    assert "assign the person to the Bitwarden app in Okta again" in " ".join(story.advice)
    assert "active: true restores their prior status" in " ".join(story.advice)


def test_a_staged_member_uses_no_seat_and_says_what_will_invite_them() -> None:
    row = MemberRow("m1", "a@x.example", status=RowStatus.STAGED)
    story = member_story(row, [_change(None, MemberStatus.STAGED, 1)], [], None, NOW, ["Sales"])
    assert "uses no seat" in story.status_line
    text = " ".join(story.advice)
    assert "What invites them" in text
    assert story.advice[-1] == "Groups: Sales."
