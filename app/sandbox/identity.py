"""The Identity server's token endpoint (Duende IdentityServer), reference section 3.1.

`POST /identity/connect/token` with a form body. The organization client
(`organization.<orgId>` + the org API key, `client_credentials`, scope `api.organization`) gets a
3600 s bearer token; every client problem is 400 `{"error":"invalid_client"}`. Other clients
(the `bw` CLI's password grant) are handled by the grant handlers other modules add to
`router.token_grants`.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from urllib.parse import unquote_plus

from app.sandbox import aspnet
from app.sandbox.router import Mount, Request, Response, Router
from app.sandbox.state import SandboxState

PREFIX = "/identity"
ORG_SCOPE = "api.organization"
TOKEN_LIFETIME = 3600
_NO_STORE = (("Cache-Control", "no-store, no-cache, max-age=0"), ("Pragma", "no-cache"))


def token_error(error: str, status: int = 400) -> Response:
    """Duende's token error body: `{"error": "..."}`, never cached."""
    response = Response.json(status, {"error": error})
    response.headers.extend(_NO_STORE)
    return response


def _organization_grant(state: SandboxState, form: dict[str, str]) -> Response:
    """`OrganizationClientProvider`: the org API key as a client_credentials client."""
    organization = state.organization
    _, _, id_part = form.get("client_id", "").partition(".")
    try:
        organization_id = str(uuid.UUID(id_part))
    except ValueError:
        return token_error("invalid_client")
    secret = form.get("client_secret", "")
    if (
        organization_id != organization.id
        or not organization.enabled
        or not organization.use_api
        or not secrets.compare_digest(
            secret.encode("utf-8", "surrogateescape"),
            organization.api_key.get_secret_value().encode(),
        )
    ):
        return token_error("invalid_client")
    grant_type = form.get("grant_type", "")
    if not grant_type:
        return token_error("unsupported_grant_type")
    if grant_type != "client_credentials":
        return token_error("unauthorized_client")
    scopes = form.get("scope", ORG_SCOPE).split()
    if any(scope != ORG_SCOPE for scope in scopes):
        return token_error("invalid_scope")
    token = state.issue_token(organization.id, f"organization.{organization.id}", ORG_SCOPE)
    body = {
        "access_token": token.value,
        "expires_in": TOKEN_LIFETIME,
        "token_type": "Bearer",
        "scope": ORG_SCOPE,
    }
    response = Response.json(200, body)
    response.headers.extend(_NO_STORE)
    return response


def basic_credentials(request: Request, form: dict[str, str]) -> None:
    """`client_secret_basic`: Duende also reads the client from an HTTP Basic header."""
    authorization = request.header("Authorization") or ""
    if authorization[:6].lower() != "basic ":
        return
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return
    client_id, _, secret = decoded.partition(":")
    form.setdefault("client_id", unquote_plus(client_id))
    form.setdefault("client_secret", unquote_plus(secret))


def register(router: Router, state: SandboxState) -> None:
    """Mount the Identity app under `/identity` and its token endpoint."""
    router.mount(Mount(PREFIX, after=[aspnet.security_headers]))

    def token(request: Request) -> Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return token_error("invalid_request")
        form = request.form()
        basic_credentials(request, form)
        client_id = form.get("client_id", "")
        if not client_id:
            return token_error("invalid_client")
        if client_id.split(".", 1)[0].lower() == "organization":
            return _organization_grant(state, form)
        for grant in router.token_grants:
            answer = grant(request, form)
            if answer is not None:
                return answer
        return token_error("invalid_client")

    router.post(PREFIX + "/connect/token", token)
