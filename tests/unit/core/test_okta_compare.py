"""Both sides side by side (the members window's Okta side), from a verification and members."""

from __future__ import annotations

from app.core.okta.compare import GONE_FROM_BITWARDEN, compare
from app.core.okta.verify import (
    AppRef,
    BitwardenMember,
    NotProvisioned,
    UsernameMismatch,
    Verification,
)


def _verification() -> Verification:
    return Verification(
        app=AppRef(id="0oa1", label="Bitwarden"),
        steps=[],
        not_provisioned=[NotProvisioned(email="new@example.com", reason="Conflict — revoked")],
        username_mismatches=[UsernameMismatch(email="ann@example.com", app_username="ann")],
        assigned_emails=["Ann@example.com", "gone@example.com", "new@example.com"],
    )


def test_each_list_holds_whom_one_side_has_and_the_other_not() -> None:
    members = [
        BitwardenMember("ann@example.com", "confirmed"),
        BitwardenMember("bob@example.com", "invited"),
        BitwardenMember("old@example.com", "revoked"),
    ]
    side = compare(_verification(), members)
    assert side.app_label == "Bitwarden"
    # Okta's own failure first, then one Okta shows provisioned whom Bitwarden no longer has.
    assert [(r.email, r.reason) for r in side.not_in_bitwarden] == [
        ("new@example.com", "Conflict — revoked"),
        ("gone@example.com", GONE_FROM_BITWARDEN),
    ]
    # E-mails compare without case; a revoked member unassigned in Okta is as expected.
    assert side.not_in_okta == ["bob@example.com"]
    assert [m.app_username for m in side.username_mismatches] == ["ann"]


def test_nobody_assigned_lists_every_member_not_revoked() -> None:
    empty = Verification(app=AppRef(id="0oa1", label="B"), steps=[], not_provisioned=[])
    side = compare(empty, [BitwardenMember("b@x.example", "accepted")])
    assert side.not_in_bitwarden == []
    assert side.not_in_okta == ["b@x.example"]
