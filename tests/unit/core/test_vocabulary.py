"""One vocabulary: every machine value has its word, and the CSV writes the words (issue 16, 10)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from app.core import members_csv, vocabulary
from app.core.invitations import InvitationState, invitation
from app.core.members_csv import MemberRecord
from app.core.public_api import MemberStatus, MemberType
from app.core.vocabulary import CSV_FIELDS, Field, Status


def test_every_status_and_role_the_server_sends_has_its_word() -> None:
    for status in MemberStatus:
        assert vocabulary.status_label(status.label)  # the --json value is the key
    assert vocabulary.status_label("accepted") == "Needs confirmation"
    for role in MemberType:
        assert vocabulary.role_label(int(role)) == role.label.capitalize()
    assert vocabulary.role_label(None) == ""
    assert vocabulary.role_label(99) == "Unknown"
    for state in InvitationState:
        assert vocabulary.invitation_label(state.value)
    assert (vocabulary.on_off(True), vocabulary.on_off(False), vocabulary.on_off(None)) == (
        "On",
        "Off",
        "",
    )
    assert set(vocabulary.STATUS_ORDER) == set(Status)
    assert vocabulary.STATUS_ORDER[0] is Status.ACCEPTED  # who needs the admin first


def test_the_header_is_the_column_titles_and_the_waiting_column_says_since() -> None:
    assert members_csv.HEADER[:4] == ("Name", "Email", "Status", "Invitation")
    assert len(members_csv.HEADER) == len(set(members_csv.HEADER)) == len(CSV_FIELDS)
    assert vocabulary.title(Field.WAITING, table=True) == "Waiting (first seen)"
    assert vocabulary.title(Field.WAITING) == "Waiting since (first seen)"
    assert vocabulary.WAITING_SINCE in members_csv.HEADER


def _record(status: Status, **changes: Any) -> MemberRecord:
    base = MemberRecord(
        member_id="m1",
        email="a@example.com",
        name="Ann",
        status=status,
        role=2,
        external_id="00u1",
        two_step=False,
        user_id="u1",
        waiting_since=None,
        invitation=None,
    )
    return base._replace(**changes)


def test_cells_are_words_and_utc_times_and_only_where_the_window_shows_them() -> None:
    local = timezone(timedelta(hours=2))
    seen = datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=local)
    item = invitation(seen, None, seen + timedelta(days=6))
    row = dict(
        zip(
            members_csv.HEADER,
            members_csv.cells(_record(Status.INVITED, waiting_since=seen, invitation=item)),
            strict=True,
        )
    )
    assert row["Status"] == "Invited"
    assert row["Role"] == "User"
    assert row["Two-step login"] == "Off"
    assert row["Waiting since (first seen)"] == "2026-12-01T08:30:15+00:00"
    assert row["Invitation"] == "Probably expired"
    assert row["Invitation expires (about)"] == "2026-12-06T08:30:15+00:00"
    # A confirmed member's first sighting is no wait, and it has no invitation.
    confirmed = members_csv.cells(_record(Status.CONFIRMED, waiting_since=seen, invitation=item))
    assert dict(zip(members_csv.HEADER, confirmed, strict=True))["Waiting since (first seen)"] == ""
    assert "Probably expired" not in confirmed


def test_write_quotes_every_cell_uses_crlf_and_can_be_cancelled() -> None:
    out = io.StringIO(newline="")
    assert members_csv.write(out, [_record(Status.ACCEPTED, name="=1+1")]) == 1
    text = out.getvalue()
    assert text.count("\r\n") == 2
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text)))[1][0] == "'=1+1"
    assert text.startswith('"Name","Email","Status"')
    many = (_record(Status.ACCEPTED) for _ in range(20_001))
    with pytest.raises(InterruptedError):
        members_csv.write(io.StringIO(), many, cancelled=lambda: True)


def test_with_okta_the_okta_column_comes_last_and_its_outside_text_is_safe() -> None:
    out = io.StringIO(newline="")
    records = [
        _record(Status.CONFIRMED, okta="Assigned"),
        _record(Status.INVITED, okta='Okta failed: =HYPERLINK("x")'),
        _record(Status.ACCEPTED),  # no cell given: blank
    ]
    assert members_csv.write(out, records, with_okta=True) == 3
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [*members_csv.HEADER, "Okta"]
    assert vocabulary.OKTA_TITLE == "Okta"
    assert [r[-1] for r in rows[1:]] == ["Assigned", 'Okta failed: =HYPERLINK("x")', ""]
    # The other columns keep their places, and without Okta the file is as before.
    assert [r[:-1] for r in rows[1:]] == [members_csv.cells(r) for r in records]
    plain = io.StringIO(newline="")
    members_csv.write(plain, records)
    assert next(iter(csv.reader(io.StringIO(plain.getvalue())))) == list(members_csv.HEADER)
    risky = io.StringIO(newline="")
    members_csv.write(risky, [_record(Status.INVITED, okta="=1+1")], with_okta=True)
    assert list(csv.reader(io.StringIO(risky.getvalue())))[1][-1] == "'=1+1"


def test_stamp_is_blank_when_unknown() -> None:
    assert members_csv.stamp(None) == ""
    assert (
        members_csv.stamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05+00:00"
    )
