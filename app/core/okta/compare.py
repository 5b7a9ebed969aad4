"""Both sides side by side: whom Okta assigned that Bitwarden does not have, whom Bitwarden has
that Okta does not assign, and whose app username is not their e-mail (the members window's
Okta side). Neither side knows the other's states; this program reads both."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.core.okta.verify import BitwardenMember, NotProvisioned, UsernameMismatch, Verification

#: Why someone Okta shows provisioned has no Bitwarden member: what is left to say.
GONE_FROM_BITWARDEN = (
    "Okta shows them provisioned, but Bitwarden has no member with this e-mail: removed in "
    "Bitwarden, or provisioned under another e-mail. Unassign and assign them again in Okta."
)


@dataclass(frozen=True)
class OktaSide:
    """`not_in_bitwarden`: assigned in Okta, no Bitwarden member (with Okta's reason and the
    likely cause); `not_in_okta`: e-mails of Bitwarden members (revoked ones aside: Okta's
    deactivation revokes) that Okta does not assign; `username_mismatches` as Okta has them."""

    app_label: str
    not_in_bitwarden: list[NotProvisioned] = field(default_factory=list)
    not_in_okta: list[str] = field(default_factory=list)
    username_mismatches: list[UsernameMismatch] = field(default_factory=list)


def compare(verification: Verification, members: Iterable[BitwardenMember]) -> OktaSide:
    listed = list(members)
    in_bitwarden = {m.email.lower() for m in listed}
    assigned = {e.lower() for e in verification.assigned_emails}
    missing = list(verification.not_provisioned)
    named = {row.email.lower() for row in missing}
    missing += [
        NotProvisioned(email=email, reason=GONE_FROM_BITWARDEN)
        for email in verification.assigned_emails
        if email.lower() not in in_bitwarden and email.lower() not in named
    ]
    not_in_okta = sorted(
        {m.email for m in listed if m.status != "revoked" and m.email.lower() not in assigned},
        key=str.lower,
    )
    return OktaSide(
        app_label=verification.app.label,
        not_in_bitwarden=missing,
        not_in_okta=not_in_okta,
        username_mismatches=list(verification.username_mismatches),
    )
