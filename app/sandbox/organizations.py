"""Several organizations behind one server (`--organizations N`): which one a request is for.

Each organization is a full `SandboxState` with its own router (its own SCIM key, Public API key,
tokens and members), as on a real server where every organization has its own keys. A request is
routed the way the real server tells organizations apart: SCIM by the organization id in the path,
the token endpoint by the `organization.<id>` client id, the Public API by whose token it carries,
and the control endpoints by `/_sandbox/organizations/{id}/…`. Everything else (the vault, `bw
serve`, the sandbox Okta) belongs to the first organization, exactly as with one organization.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from app.sandbox.identity import basic_credentials
from app.sandbox.router import Request, Response, Router
from app.sandbox.state import SandboxState

_SCIM_PATH = re.compile(r"^/scim/v2/([^/]+)", re.IGNORECASE)
_CONTROL_PATH = re.compile(r"^/_sandbox/organizations/([^/]+)(/.*)?$", re.IGNORECASE)
_TOKEN_PATH = "/identity/connect/token"  # noqa: S105 (a path, not a secret)


class OrganizationsRouter:
    """Dispatches each request to the router of the organization it is addressed to."""

    def __init__(self, organizations: Sequence[tuple[SandboxState, Router]]) -> None:
        if not organizations:
            raise ValueError("at least one organization")
        self._organizations = list(organizations)
        self._by_id = {state.organization.id.lower(): router for state, router in organizations}

    @property
    def first(self) -> Router:
        return self._organizations[0][1]

    def dispatch(self, request: Request) -> Response:
        control = _CONTROL_PATH.match(request.path)
        if control is not None:
            router = self._by_id.get(control.group(1).lower())
            if router is None:
                return Response.json(404, {"error": "no such organization"})
            inner = dataclasses.replace(request, path="/_sandbox" + (control.group(2) or "/"))
            return router.dispatch(inner)
        return self._router_for(request).dispatch(request)

    def _router_for(self, request: Request) -> Router:
        scim = _SCIM_PATH.match(request.path)
        if scim is not None:
            return self._by_id.get(scim.group(1).lower(), self.first)
        if request.path.lower().rstrip("/") == _TOKEN_PATH:
            return self._by_client_id(request)
        if request.path.lower().startswith("/api/"):
            return self._by_token(request)
        return self.first

    def _by_client_id(self, request: Request) -> Router:
        if request.content_type != "application/x-www-form-urlencoded":
            return self.first
        form = request.form()
        basic_credentials(request, form)
        client_id = form.get("client_id", "")
        kind, _, organization_id = client_id.partition(".")
        if kind.lower() != "organization":
            return self.first
        return self._by_id.get(organization_id.lower(), self.first)

    def _by_token(self, request: Request) -> Router:
        authorization = request.header("Authorization") or ""
        value = authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""
        value = value or request.query_value("access_token") or ""
        if value:
            for state, router in self._organizations:
                if state.lookup_token(value) is not None:
                    return router
        return self.first
