"""The sandbox's Okta org: a Management API subset on its own origin that really provisions.

Written from Okta's documentation (`okta-management-api.md`, `okta-scim.md`), never from the
core's Okta client: `org.py` holds the org, `api.py` answers `/api/v1/…`, `provisioning.py` pushes
to the Bitwarden sandbox's SCIM endpoint over HTTP with `scim_push.py`, `faults.py` seeds faults.
"""
