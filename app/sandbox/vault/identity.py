"""The identity server's side of a user login: prelogin, the password grant, the refresh grant.

`POST /identity/accounts/prelogin/password` (and the older `/identity/accounts/prelogin`) tells a
client the account's KDF; `POST /identity/connect/token` with `grant_type=password` checks the
master-password hash and answers with the wrapped keys the client decrypts locally
(`BaseRequestValidator.BuildCustomResponse` in bitwarden/server). The token endpoint itself belongs
to the sandbox's identity module, which tries each entry of `router.token_grants` in turn.
"""

from __future__ import annotations

import hmac
from typing import Any

from app.sandbox.router import BadJsonError, Request, Response, Router
from app.sandbox.state import Account
from app.sandbox.vault import challenges, crypto
from app.sandbox.vault.accounts import ACCESS_TOKEN_LIFETIME, VaultAccounts, error_response

_BAD_CREDENTIALS = "Username or password is incorrect. Try again."


def register(router: Router, vault: VaultAccounts) -> None:
    def prelogin(request: Request) -> Response:
        try:
            body = request.json()
        except BadJsonError:
            body = None
        email = body.get("email") if isinstance(body, dict) else None
        if not isinstance(email, str) or not email.strip():
            return _model_state_error("Email", "The Email field is required.")
        kdf = vault.prelogin_kdf(email)
        return Response.json(
            200,
            {
                **kdf,
                "kdfSettings": {
                    "kdfType": kdf["kdf"],
                    "iterations": kdf["kdfIterations"],
                    "memory": kdf["kdfMemory"],
                    "parallelism": kdf["kdfParallelism"],
                },
                "salt": email.strip().lower(),
            },
        )

    def grant(request: Request, form: dict[str, str]) -> Response | None:
        grant_type = form.get("grant_type", "")
        if grant_type == "password":
            return _password_grant(vault, form)
        if grant_type == "refresh_token":
            return _refresh_grant(vault, form)
        if grant_type == "client_credentials" and form.get("client_id", "").startswith("user."):
            return _api_key_grant(vault, form)
        return None

    for path in ("/identity/accounts/prelogin/password", "/identity/accounts/prelogin"):
        router.post(path, prelogin)
    router.token_grants.append(grant)


def _password_grant(vault: VaultAccounts, form: dict[str, str]) -> Response:
    if form.get("scope", "").split() != ["api", "offline_access"]:
        return _grant_error("invalid_scope", None)
    for field in ("username", "password", "client_id", "deviceIdentifier"):
        if not form.get(field):
            return _grant_error("invalid_request", None)
    account = vault.account_by_email(form["username"])
    keys = vault.master_password_keys(account) if account else None
    if account is None or keys is None or not keys.password_matches(form["password"]):
        return _grant_error("invalid_grant", _BAD_CREDENTIALS)
    refusal = challenges.check(vault.logins, account, form)
    if refusal is not None:
        return refusal
    access, refresh = vault.issue(account, form["client_id"])
    return Response.json(200, _token_body(vault, account, keys, access, refresh))


def _api_key_grant(vault: VaultAccounts, form: dict[str, str]) -> Response:
    """The personal API key (§2.1): `user.<id>` + its secret, scope `api`; no refresh token, no
    two-step, no new-device check. Any client problem is Duende's `invalid_client`."""
    account_id = form.get("client_id", "").removeprefix("user.").lower()
    with vault.state.lock:
        account = vault.state.accounts.get(account_id)
    presented = form.get("client_secret", "").encode("utf-8", "surrogateescape")
    if account is None or not hmac.compare_digest(
        presented, account.api_key.get_secret_value().encode()
    ):
        return Response.json(400, {"error": "invalid_client"})
    if form.get("scope", "").split() != ["api"]:
        return _grant_error("invalid_scope", None)
    keys = vault.master_password_keys(account)
    if keys is None:
        return Response.json(400, {"error": "invalid_client"})
    access = vault.issue_access_only(account, form["client_id"])
    body = _token_body(vault, account, keys, access, None)
    body["scope"] = "api"
    return Response.json(200, body)


def _refresh_grant(vault: VaultAccounts, form: dict[str, str]) -> Response:
    refreshed = vault.refresh(form.get("refresh_token", ""), form.get("client_id", ""))
    if refreshed is None:
        return _grant_error("invalid_grant", None)
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


def _token_body(
    vault: VaultAccounts,
    account: Account,
    keys: crypto.MasterPasswordKeys,
    access: str,
    refresh: str | None,
) -> dict[str, Any]:
    return {
        "access_token": access,
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "token_type": "Bearer",
        **({"refresh_token": refresh} if refresh is not None else {}),
        "scope": "api offline_access",
        "PrivateKey": keys.wrapped_private_key,
        "AccountKeys": account_keys(account, keys),
        "Key": keys.wrapped_user_key,
        "MasterPasswordPolicy": {"Object": "masterPasswordPolicy"},
        "ForcePasswordReset": False,
        "Kdf": keys.kdf,
        "KdfIterations": keys.kdf_iterations,
        "KdfMemory": keys.kdf_memory,
        "KdfParallelism": keys.kdf_parallelism,
        "UserDecryptionOptions": {
            "HasMasterPassword": True,
            "MasterPasswordUnlock": master_password_unlock(keys),
            "Object": "userDecryptionOptions",
        },
    }


def account_keys(account: Account, keys: crypto.MasterPasswordKeys) -> dict[str, Any]:
    """`PrivateKeysResponseModel` of a v1 account: an RSA key pair, no signing key."""
    return {
        "signatureKeyPair": None,
        "publicKeyEncryptionKeyPair": {
            "wrappedPrivateKey": keys.wrapped_private_key,
            "publicKey": crypto.b64(account.key_pair.public_key_der),
            "signedPublicKey": None,
            "object": "publicKeyEncryptionKeyPair",
        },
        "securityState": None,
        "object": "privateKeys",
    }


def master_password_unlock(keys: crypto.MasterPasswordKeys) -> dict[str, Any]:
    """`MasterPasswordUnlockResponseModel`: what the SDK needs to unlock with the password."""
    return {
        "Kdf": {
            "KdfType": keys.kdf,
            "Iterations": keys.kdf_iterations,
            "Memory": keys.kdf_memory,
            "Parallelism": keys.kdf_parallelism,
        },
        "MasterKeyEncryptedUserKey": keys.wrapped_user_key,
        "Salt": keys.email,
    }


def _grant_error(error: str, message: str | None) -> Response:
    """IdentityServer's 400 for a failed grant, with Bitwarden's `ErrorModel` if any."""
    body: dict[str, Any] = {"error": error}
    if message is not None:
        body["error_description"] = "invalid_username_or_password"
        body["ErrorModel"] = {"Message": message, "Object": "error"}
    return Response.json(400, body)


def _model_state_error(field: str, message: str) -> Response:
    """ASP.NET model validation: 400 with `validationErrors` keyed by the field."""
    return error_response("The model state is invalid.", validation_errors={field: [message]})
