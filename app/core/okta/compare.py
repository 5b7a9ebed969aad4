"""What is said of someone Okta shows provisioned whom Bitwarden does not have (the members
window's "In Okta, not in Bitwarden"; the window matches both sides in
`app/gui/members/okta_index.py`, against the rows it shows)."""

from __future__ import annotations

#: Why someone Okta shows provisioned has no Bitwarden member: what is left to say.
GONE_FROM_BITWARDEN = (
    "Okta shows them provisioned, but Bitwarden has no member with this e-mail: removed in "
    "Bitwarden, or provisioned under another e-mail. Unassign and assign them again in Okta."
)
