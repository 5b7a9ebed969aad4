"""v2 ("COSE") account keys, as bitwarden-native-confirm.md 3.5 and 3.7 describe them.

- The user key is a CBOR COSE_Key (`1` kty 4, `2` kid, `3` alg -70010 XAES-256-GCM, `4` key_ops,
  `-1` k), padded to at least 65 bytes (the last byte is the pad length), and wrapped as a type 2
  EncString under the stretched master key, so its plaintext is longer than 64 bytes.
- The private key is EncString type 7: `7.` + base64 of an untagged COSE_Encrypt0
  `[protected bstr {1: alg, 3: content type, 4: kid}, {5: 24-byte nonce}, ciphertext + tag]`,
  AAD `["Encrypt0", protected, h'']`, sealed with XAES-256-GCM (C2SP).

Only what the sandbox needs to write: a minimal CBOR encoder and XAES-256-GCM sealing.
"""

from __future__ import annotations

import os
import struct

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from app.sandbox.vault import crypto

#: COSE algorithm ids Bitwarden assigned (reference 3.7).
XAES_256_GCM = -70010
#: CoAP content-format of a PKCS#8 private key (the content type of a wrapped private key).
CONTENT_PKCS8 = 284
#: COSE key_ops: encrypt, decrypt.
KEY_OPS = (3, 4)
MIN_PADDED = 65

CborValue = int | bytes | str | list["CborValue"] | dict[int | str, "CborValue"]


def cbor(value: CborValue) -> bytes:
    """Canonical-enough CBOR for ints, byte and text strings, arrays and maps (insertion order)."""
    if isinstance(value, bool):
        raise TypeError("no booleans in COSE keys here")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor(item) for item in value)
    return _head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | extra]) + argument.to_bytes(size, "big")
    raise ValueError("a CBOR argument fits in 8 bytes")


def xaes_256_gcm_seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """C2SP XAES-256-GCM: derive a per-nonce key from `nonce[:12]`, then AES-256-GCM with
    `nonce[12:]`; returns ciphertext + 16-byte tag."""
    if len(key) != 32 or len(nonce) != 24:
        raise ValueError("XAES-256-GCM takes a 32-byte key and a 24-byte nonce")
    block = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 (one block, KDF)
    l_block = block.update(bytes(16))
    shifted = (int.from_bytes(l_block, "big") << 1) & ((1 << 128) - 1)
    if l_block[0] & 0x80:
        shifted ^= 0x87
    k1 = shifted.to_bytes(16, "big")
    halves = []
    for counter in (1, 2):
        message = struct.pack(">BBcB", 0, counter, b"X", 0) + nonce[:12]
        halves.append(block.update(bytes(a ^ b for a, b in zip(message, k1, strict=True))))
    return AESGCM(b"".join(halves)).encrypt(nonce[12:], plaintext, aad)


def pad(data: bytes, minimum: int = MIN_PADDED) -> bytes:
    """The SDK's key padding: at least one byte, up to `minimum`, each the pad length."""
    count = max(minimum - len(data), 1)
    return data + bytes([count]) * count


def symmetric_cose_key(key_id: bytes, key: bytes) -> bytes:
    """The v2 user key as CBOR: a symmetric COSE_Key for XAES-256-GCM."""
    return cbor({1: 4, 2: key_id, 3: XAES_256_GCM, 4: list(KEY_OPS), -1: key})


def encrypt0(
    key_id: bytes, key: bytes, plaintext: bytes, content_type: int | str = CONTENT_PKCS8
) -> str:
    """EncString type 7 of `plaintext` under the COSE key (`kid`, 32-byte `key`)."""
    protected = cbor({1: XAES_256_GCM, 3: content_type, 4: key_id})
    nonce = os.urandom(24)
    aad = cbor(["Encrypt0", protected, b""])
    sealed = xaes_256_gcm_seal(key, nonce, plaintext, aad)
    return "7." + crypto.b64(cbor([protected, {5: nonce}, sealed]))


#: The content type the sandbox gives a wrapped COSE key (unconfirmed: reference 3.7 names only
#: `application/x.bitwarden.utf8-padded` among the text ones).
CONTENT_COSE_KEY = "application/x.bitwarden.cose-key"


def v2_keys(
    email: str, password: str, private_key_pkcs8: bytes, kdf: crypto.Kdf
) -> crypto.MasterPasswordKeys:
    """Register a v2 account: a COSE user key (type 2 under the stretched master key, padded past
    64 bytes), the RSA private key as type 7, an Ed25519 signing key pair and a security state
    (version 2) signed with it."""
    master_key = kdf.master_key(password, email)
    key_id, user_key = os.urandom(16), os.urandom(32)
    stretched = crypto.stretch_master_key(master_key)
    signing = ed25519.Ed25519PrivateKey.generate()
    public = signing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    private = signing.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    verifying: dict[int | str, CborValue] = {1: 1, 3: -8, -1: 6, -2: public}
    signing_key: dict[int | str, CborValue] = {**verifying, -4: private}
    return crypto.MasterPasswordKeys(
        email=email.strip().lower(),
        kdf=kdf,
        password_hash=crypto.master_password_hash(master_key, password),
        wrapped_user_key=crypto.encrypt_aes(pad(symmetric_cose_key(key_id, user_key)), stretched),
        wrapped_private_key=encrypt0(key_id, user_key, private_key_pkcs8),
        signature_key_pair={
            "wrappedSigningKey": encrypt0(key_id, user_key, cbor(signing_key), CONTENT_COSE_KEY),
            "verifyingKey": crypto.b64(cbor(verifying)),
        },
        security_state={"securityState": _signed_state(signing), "securityVersion": 2},
    )


def _signed_state(signing: ed25519.Ed25519PrivateKey) -> str:
    """A COSE_Sign1 (EdDSA) over `{"version": 2}`: the shape is the sandbox's own guess."""
    protected = cbor({1: -8})
    payload = cbor({"version": 2})
    signature = signing.sign(cbor(["Signature1", protected, b"", payload]))
    return crypto.b64(cbor([protected, {}, payload, signature]))
