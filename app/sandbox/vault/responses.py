"""The identity server's answers to a grant: the success body and the failure shapes.

Duende writes OAuth's own fields in snake_case and Bitwarden's custom ones in PascalCase
(`Key`, `PrivateKey`, `ErrorModel.Message`); inside `AccountKeys` the leaves are camelCase
(reference "JSON casing").
"""

from __future__ import annotations

from typing import Any

from app.sandbox.router import Response
from app.sandbox.state import Account
from app.sandbox.vault import crypto
from app.sandbox.vault.accounts import ACCESS_TOKEN_LIFETIME, KEY_CONNECTOR, KeylessKeys

_NO_STORE = (("Cache-Control", "no-store, no-cache, max-age=0"), ("Pragma", "no-cache"))


def token_body(
    account: Account,
    keys: crypto.MasterPasswordKeys,
    access: str,
    refresh: str | None,
) -> dict[str, Any]:
    """A successful grant: OAuth's fields and the custom ones (`BaseRequestValidator`); the
    personal API key's has no refresh token and scope `api` only."""
    body: dict[str, Any] = {
        "access_token": access,
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "token_type": "Bearer",
    }
    if refresh is not None:
        body["refresh_token"] = refresh
    body["scope"] = "api offline_access" if refresh is not None else "api"
    return body | {
        "PrivateKey": keys.wrapped_private_key,
        "AccountKeys": account_keys(account, keys),
        "Key": keys.wrapped_user_key,
        "MasterPasswordPolicy": {"Object": "masterPasswordPolicy"},
        "ForcePasswordReset": False,
        "Kdf": keys.kdf.kind,
        "KdfIterations": keys.kdf.iterations,
        "KdfMemory": keys.kdf.memory,
        "KdfParallelism": keys.kdf.parallelism,
        "UserDecryptionOptions": {
            "HasMasterPassword": True,
            "MasterPasswordUnlock": master_password_unlock(keys),
            "Object": "userDecryptionOptions",
        },
    }


def account_keys(account: Account, keys: crypto.MasterPasswordKeys | KeylessKeys) -> dict[str, Any]:
    """`PrivateKeysResponseModel` of a v1 account: an RSA key pair, no signing key."""
    v2 = isinstance(keys, crypto.MasterPasswordKeys) and keys.is_v2
    return {
        "signatureKeyPair": (
            {**keys.signature_key_pair, "object": "signatureKeyPair"}
            if v2 and isinstance(keys, crypto.MasterPasswordKeys) and keys.signature_key_pair
            else None
        ),
        "publicKeyEncryptionKeyPair": {
            "wrappedPrivateKey": keys.wrapped_private_key,
            "publicKey": crypto.b64(account.key_pair.public_key_der),
            "signedPublicKey": None,
            "object": "publicKeyEncryptionKeyPair",
        },
        "securityState": (
            {**keys.security_state, "object": "securityState"}
            if v2 and isinstance(keys, crypto.MasterPasswordKeys) and keys.security_state
            else None
        ),
        "object": "privateKeys",
    }


def master_password_unlock(keys: crypto.MasterPasswordKeys) -> dict[str, Any]:
    """`MasterPasswordUnlockResponseModel`: what the SDK needs to unlock with the password."""
    return {
        "Kdf": {
            "KdfType": keys.kdf.kind,
            "Iterations": keys.kdf.iterations,
            "Memory": keys.kdf.memory,
            "Parallelism": keys.kdf.parallelism,
        },
        "MasterKeyEncryptedUserKey": keys.wrapped_user_key,
        "Salt": keys.email,
    }


def grant_error(error: str, message: str | None, description: str | None = None) -> Response:
    """IdentityServer's 400 for a failed grant, with Bitwarden's `ErrorModel` if any (its
    `error_description` is `invalid_username_or_password` unless the check names another)."""
    body: dict[str, Any] = {"error": error}
    if message is not None:
        body["error_description"] = description or "invalid_username_or_password"
        body["ErrorModel"] = {"Message": message, "Object": "error"}
    return Response.json(400, body)


def keyless_token_body(
    account: Account, keys: KeylessKeys, kind: str, access: str, kdf: crypto.Kdf
) -> dict[str, Any]:
    """The personal API key's answer for an account no master password opens: no
    `MasterPasswordUnlock`, `HasMasterPassword: false`, `Key` only where the user key has one
    wrapping (key connector, with `ApiUseKeyConnector: true`; reference 2.1, 2.7)."""
    body: dict[str, Any] = {
        "access_token": access,
        "expires_in": ACCESS_TOKEN_LIFETIME,
        "token_type": "Bearer",
        "scope": "api",
        "PrivateKey": keys.wrapped_private_key,
        "AccountKeys": account_keys(account, keys),
    }
    if keys.wrapped_user_key is not None:
        body["Key"] = keys.wrapped_user_key
    body.update(
        {
            "MasterPasswordPolicy": {"Object": "masterPasswordPolicy"},
            "ForcePasswordReset": False,
            "Kdf": kdf.kind,
            "KdfIterations": kdf.iterations,
            "KdfMemory": kdf.memory,
            "KdfParallelism": kdf.parallelism,
            "UserDecryptionOptions": {
                "HasMasterPassword": False,
                "Object": "userDecryptionOptions",
            },
        }
    )
    if kind == KEY_CONNECTOR:
        body["ApiUseKeyConnector"] = True
    return body
