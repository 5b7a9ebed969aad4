"""An outside SCIM client (`scim2-client`) against the sandbox (issue 2, item 5).

Bitwarden differs from RFC 7644 where this client is configured, never the sandbox:
- no discovery endpoints, so the client is given its models (`ScimProvider`) instead of asking
  `/ServiceProviderConfig`, `/Schemas` and `/ResourceTypes` (reference 2.4, all 404);
- Bitwarden's extra user keys (`primaryEmail`, `workEmail`) are tolerated (`Unknown.ignore`);
- the lower-case `resources` key needs nothing: SCIM attribute names are case-insensitive and
  scim2-models reads it as `Resources`.
scim2-client's own network engine needs `httpx2`; this adapter sends its requests with httpx.
"""

from __future__ import annotations

from typing import Any

import httpx
from scim2_client.client import BaseSyncSCIMClient
from scim2_models import Email, Group, ListResponse, ScimPolicy, ScimProvider, User

from app.sandbox.server import Sandbox


class HttpxScimClient(BaseSyncSCIMClient):
    """scim2-client's synchronous client over an `httpx.Client` with the SCIM base URL."""

    def __init__(self, client: httpx.Client, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        url = self.client.build_request("GET", endpoint).url
        return str(url).startswith(str(self.client.base_url))

    def _parse_json(self, response: Any) -> Any:
        return response.json()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, url, **kwargs)


def test_scim2_client_lists_creates_reads_and_deletes(sandbox: Sandbox) -> None:
    """2.4–2.8 through an independent RFC 7644 client: list, create, get, delete users; groups."""
    provider = ScimProvider(
        models=[User, Group], policy=ScimPolicy(unknown=ScimPolicy.Unknown.ignore)
    )
    http = httpx.Client(
        base_url=sandbox.info["scim_url"],
        headers={"Authorization": f"Bearer {sandbox.info['scim_key']}"},
    )
    with http:
        client = HttpxScimClient(http, provider=provider)
        listing = client.query(User)
        assert isinstance(listing, ListResponse)
        assert listing.total_results == len(sandbox.state.members)
        assert len(listing.resources or []) == min(50, len(sandbox.state.members))

        created: Any = client.create(
            User(
                user_name="outside.client@x.example",
                emails=[Email(value="outside.client@x.example", primary=True, type="work")],
                active=True,
            )
        )
        assert isinstance(created, User)
        assert created.id is not None
        assert created.user_name == "outside.client@x.example"
        fetched = client.query(User, created.id)
        assert isinstance(fetched, User)
        assert fetched.emails is not None
        assert fetched.emails[0].value == "outside.client@x.example"

        groups = client.query(Group)
        assert isinstance(groups, ListResponse)
        assert groups.total_results == len(sandbox.state.groups)

        client.delete(User, created.id)
        assert created.id not in sandbox.state.members
