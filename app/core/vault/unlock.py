"""From the token response to the organization key: master key → user key → private key → org key.

Every account this cannot unlock with a master password (key connector, trusted-device encryption
without a master password, v2/COSE keys, legacy keys) is refused with a plain sentence.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.vault.crypto import (
    NEWER_FORMAT,
    KdfParams,
    KdfType,
    decrypt_asymmetric,
    decrypt_symmetric,
    derive_master_key,
    load_private_key,
    stretch,
)
from app.core.vault.errors import CryptoError, UnsupportedAccount, VaultError, WrongPassword
from app.core.vault.keys import SymmetricKey, wipe

KEY_CONNECTOR = "This account unlocks through a key connector, not a master password."


def field(data: Mapping[str, Any] | None, *names: str) -> Any:
    """`data[name]` for the first of `names` present, ignoring case (the identity server writes
    PascalCase, the API camelCase, Vaultwarden a mix); None when absent."""
    if not isinstance(data, Mapping):
        return None
    lowered = {str(key).lower(): value for key, value in data.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


@dataclass(frozen=True)
class UnlockMaterial:
    """What the token response says about how to unlock the account (no secret in clear)."""

    kdf: KdfParams
    salt: str
    encrypted_user_key: str
    encrypted_private_key: str
    public_key: bytes | None


def unlock_material(token: Mapping[str, Any], email: str | None) -> UnlockMaterial:
    """Read the unlock fields of a successful token response, refusing what cannot be unlocked."""
    if field(token, "ApiUseKeyConnector") is True:
        raise UnsupportedAccount(KEY_CONNECTOR)
    options = field(token, "UserDecryptionOptions")
    if field(options, "KeyConnectorOption") is not None:
        raise UnsupportedAccount(KEY_CONNECTOR)
    if options is not None and field(options, "HasMasterPassword") is False:
        if field(options, "TrustedDeviceOption") is not None:
            raise UnsupportedAccount(
                "This account unlocks with trusted devices (single sign-on) and has no "
                "master password."
            )
        raise UnsupportedAccount(
            "This account has no master password (it signs in with single sign-on or a passkey)."
        )
    if field(token, "ForcePasswordReset") is True:
        raise VaultError(
            "An administrator reset this account's master password. Log in to the Bitwarden "
            "web vault and finish changing it, then try again."
        )
    unlock = field(options, "MasterPasswordUnlock")
    kdf_block = field(unlock, "Kdf")
    kind = field(kdf_block, "KdfType", "Kdf")
    if kind is None:
        kind = field(token, "Kdf")
    iterations = field(kdf_block, "Iterations") or field(token, "KdfIterations")
    memory = field(kdf_block, "Memory") or field(token, "KdfMemory")
    lanes = field(kdf_block, "Parallelism") or field(token, "KdfParallelism")
    if kind not in (0, 1) or not isinstance(iterations, int):
        raise UnsupportedAccount(f"This account uses a key derivation ({kind}) this program lacks.")
    kdf = KdfParams(KdfType(kind), iterations, memory, lanes)
    salt = field(unlock, "Salt") or email
    if not isinstance(salt, str) or not salt:
        raise VaultError("The server did not say which e-mail address the account has.")
    user_key = field(unlock, "MasterKeyEncryptedUserKey", "MasterKeyWrappedUserKey")
    user_key = user_key or field(token, "Key")
    pair = field(field(token, "AccountKeys"), "publicKeyEncryptionKeyPair")
    if field(field(token, "AccountKeys"), "signatureKeyPair") is not None:
        raise UnsupportedAccount(NEWER_FORMAT)
    private_key = field(pair, "wrappedPrivateKey") or field(token, "PrivateKey")
    if not isinstance(user_key, str) or not isinstance(private_key, str):
        raise UnsupportedAccount(
            "This account has no encryption keys this program can use (a legacy account)."
        )
    public_b64 = field(pair, "publicKey")
    public_key = None
    if isinstance(public_b64, str):
        try:
            public_key = base64.b64decode(public_b64, validate=True)
        except (binascii.Error, ValueError):
            public_key = None
    return UnlockMaterial(kdf, salt, user_key, private_key, public_key)


class UnlockedAccount:
    """The admin's user key and private key, for one run; `wipe()` at the end."""

    def __init__(self, user_key: SymmetricKey, private_key: rsa.RSAPrivateKey) -> None:
        self.user_key = user_key
        self.private_key: rsa.RSAPrivateKey | None = private_key

    def __repr__(self) -> str:
        return "UnlockedAccount(***)"

    def organization_key(self, encrypted: str) -> SymmetricKey:
        """Decrypt the organization key (type 4 to this account); refuse anything not 64 bytes."""
        if self.private_key is None:
            raise VaultError("The vault is locked again; start the confirmation again.")
        plain = decrypt_asymmetric(encrypted, self.private_key)
        try:
            if len(plain) != 64:
                raise UnsupportedAccount(
                    "This organization's key has a format this program does not implement."
                )
            return SymmetricKey(plain)
        finally:
            wipe(plain)

    def wipe(self) -> None:
        self.user_key.wipe()
        self.private_key = None


def unlock(password: str, material: UnlockMaterial) -> UnlockedAccount:
    """Derive the master key and open the user key and the private key.

    A MAC failure on the user key means the master password is wrong (`WrongPassword`).
    """
    master_key = derive_master_key(password, material.salt, material.kdf)
    stretched = stretch(master_key)
    wipe(master_key)
    try:
        try:
            user_plain = decrypt_symmetric(material.encrypted_user_key, stretched)
        except CryptoError:
            raise WrongPassword("The master password is not correct. Type it again.") from None
    finally:
        stretched.wipe()
    try:
        if len(user_plain) > 64:
            raise UnsupportedAccount(NEWER_FORMAT)
        if len(user_plain) != 64:
            raise UnsupportedAccount("This account has a legacy key format.")
        user_key = SymmetricKey(user_plain)
    finally:
        wipe(user_plain)
    try:
        der = decrypt_symmetric(material.encrypted_private_key, user_key)
    except VaultError:
        user_key.wipe()
        raise
    try:
        private_key = load_private_key(der)
    finally:
        wipe(der)
    if material.public_key is not None:
        derived = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if derived != material.public_key:
            user_key.wipe()
            raise CryptoError("The account's public and private keys do not belong together.")
    return UnlockedAccount(user_key, private_key)
