"""The identity server's side of a user login: prelogin, the password grant, the refresh grant.

`POST /identity/accounts/prelogin/password` (and the older `/identity/accounts/prelogin`) tells a
client the account's KDF; `POST /identity/connect/token` with `grant_type=password` checks the
master-password hash and answers with the wrapped keys the client decrypts locally
(`BaseRequestValidator.BuildCustomResponse` in bitwarden/server). The token endpoint itself belongs
to the sandbox's identity module, which tries each entry of `router.token_grants` in turn.
"""

from __future__ import annotations

from app.sandbox.router import BadJsonError, Request, Response, Router
from app.sandbox.vault import login
from app.sandbox.vault.accounts import ACCESS_TOKEN_LIFETIME, VaultAccounts, error_response
from app.sandbox.vault.responses import grant_error


def register(router: Router, vault: VaultAccounts) -> None:
    def prelogin(request: Request) -> Response:
        try:
            body = request.json()
        except BadJsonError:
            body = None
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or not email.strip():
            return _model_state_error("Email", "The Email field is required.")
        kdf = vault.kdf_for_email(email)
        return Response.json(
            200,
            {
                "kdf": kdf.kind,
                "kdfIterations": kdf.iterations,
                "kdfMemory": kdf.memory,
                "kdfParallelism": kdf.parallelism,
                "kdfSettings": {
                    "kdfType": kdf.kind,
                    "iterations": kdf.iterations,
                    "memory": kdf.memory,
                    "parallelism": kdf.parallelism,
                },
                "salt": email.strip().lower(),
            },
        )

    def grant(request: Request, form: dict[str, str]) -> Response | None:
        grant_type = form.get("grant_type", "")
        if grant_type == "password":
            return login.password_grant(vault, request, form)
        if grant_type == "refresh_token":
            return _refresh_grant(vault, form)
        if grant_type == "client_credentials" and form.get("client_id", "").startswith("user."):
            return login.api_key_grant(vault, request, form)
        return None

    for path in ("/identity/accounts/prelogin/password", "/identity/accounts/prelogin"):
        router.post(path, prelogin)
    router.token_grants.append(grant)
    login.register(router, vault)


def _refresh_grant(vault: VaultAccounts, form: dict[str, str]) -> Response:
    refreshed = vault.refresh(form.get("refresh_token", ""), form.get("client_id", ""))
    if refreshed is None:
        return grant_error("invalid_grant", None)
    _, access = refreshed
    return Response.json(
        200,
        {
            "access_token": access,
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "token_type": "Bearer",
            "refresh_token": form["refresh_token"],
            "scope": "api offline_access",
        },
    )


def _model_state_error(field: str, message: str) -> Response:
    """ASP.NET model validation: 400 with `validationErrors` keyed by the field."""
    return error_response("The model state is invalid.", validation_errors={field: [message]})
