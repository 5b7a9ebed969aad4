"""Bitwarden's client cryptography (reference: bitwarden-native-confirm.md §3-§5).

Master key (PBKDF2-SHA256 or Argon2id), the master-password hash sent to the server, the
stretched key (HKDF-Expand "enc"/"mac", no extract), EncString type 2 (AES-256-CBC + HMAC-SHA256,
MAC checked in constant time before decrypting) and type 4 (RSA-2048-OAEP-SHA1). Every other
EncString type is refused rather than guessed at.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from app.core.vault.errors import CryptoError, UnsupportedAccount
from app.core.vault.keys import SymmetricKey, wipe

NEWER_FORMAT = (
    "This account uses a newer Bitwarden key format (v2) that this program does not implement."
)


class KdfType(IntEnum):
    PBKDF2_SHA256 = 0
    ARGON2ID = 1


@dataclass(frozen=True)
class KdfParams:
    """The account's KDF as the server states it (Argon2 memory in MiB, as the API gives it)."""

    kind: KdfType
    iterations: int
    memory_mib: int | None = None
    parallelism: int | None = None

    def check(self) -> None:
        """Refuse parameters the official clients refuse (they would be a downgrade or nonsense)."""
        if self.kind == KdfType.PBKDF2_SHA256:
            if not 5_000 <= self.iterations <= 10_000_000:
                raise CryptoError(f"The server gave {self.iterations} PBKDF2 iterations; refusing.")
            return
        memory, lanes = self.memory_mib or 0, self.parallelism or 0
        if not (2 <= self.iterations <= 100 and 16 <= memory <= 4096 and 1 <= lanes <= 64):
            raise CryptoError("The server gave Argon2id parameters outside the safe range.")


def normalize_salt(text: str) -> bytes:
    """The e-mail (or server salt) as the clients use it: trimmed, lower-case, UTF-8."""
    return text.strip().lower().encode("utf-8")


def derive_master_key(password: str, salt: str, kdf: KdfParams) -> bytearray:
    """The 32-byte master key (wipe it when done)."""
    kdf.check()
    secret = password.encode("utf-8")
    if kdf.kind == KdfType.PBKDF2_SHA256:
        raw = hashlib.pbkdf2_hmac("sha256", secret, normalize_salt(salt), kdf.iterations, 32)
    else:
        assert kdf.memory_mib is not None
        assert kdf.parallelism is not None
        raw = hash_secret_raw(
            secret,
            hashlib.sha256(normalize_salt(salt)).digest(),
            time_cost=kdf.iterations,
            memory_cost=kdf.memory_mib * 1024,
            parallelism=kdf.parallelism,
            hash_len=32,
            type=Type.ID,
            version=19,
        )
    return bytearray(raw)


def master_password_hash(master_key: bytes | bytearray, password: str) -> str:
    """What the password grant sends as `password`: PBKDF2(master key, salt=password, 1 round)."""
    digest = hashlib.pbkdf2_hmac("sha256", bytes(master_key), password.encode("utf-8"), 1, 32)
    return base64.b64encode(digest).decode("ascii")


def hkdf_expand(prk: bytes | bytearray, info: bytes, length: int = 32) -> bytes:
    return HKDFExpand(algorithm=hashes.SHA256(), length=length, info=info).derive(bytes(prk))


def stretch(master_key: bytes | bytearray) -> SymmetricKey:
    """The stretched master key: HKDF-Expand(master key, "enc") ‖ HKDF-Expand(master key, "mac")."""
    enc = bytearray(hkdf_expand(master_key, b"enc"))
    mac = bytearray(hkdf_expand(master_key, b"mac"))
    try:
        return SymmetricKey.from_parts(enc, mac)
    finally:
        wipe(enc)
        wipe(mac)


# ---------------------------------------------------------------- EncString


@dataclass(frozen=True)
class EncString:
    """A parsed `<type>.<b64>|<b64>…` string."""

    type: int
    parts: tuple[bytes, ...]


def parse_encstring(text: str) -> EncString:
    """Parse an EncString; an unknown type or a wrong part count is a refusal, not a guess."""
    head, dot, body = text.partition(".")
    if not dot or not head.isdigit():
        raise CryptoError("The server sent a key in a format this program does not know.")
    kind = int(head)
    if kind == 7:
        raise UnsupportedAccount(NEWER_FORMAT)
    expected = {2: 3, 3: 1, 4: 1}
    if kind not in expected:
        raise UnsupportedAccount(f"This account has a key of a type ({kind}) unknown here.")
    pieces = body.split("|")
    if len(pieces) != expected[kind]:
        raise CryptoError(f"A type {kind} key has {len(pieces)} parts instead of {expected[kind]}.")
    try:
        parts = tuple(base64.b64decode(piece, validate=True) for piece in pieces)
    except (binascii.Error, ValueError):
        raise CryptoError("The server sent a key that is not valid base64.") from None
    return EncString(kind, parts)


def _mac(key: SymmetricKey, iv: bytes, data: bytes) -> bytes:
    mac_key = key.mac
    try:
        return hmac.new(mac_key, iv + data, hashlib.sha256).digest()
    finally:
        wipe(mac_key)


def decrypt_symmetric(text: str, key: SymmetricKey) -> bytearray:
    """Decrypt a type 2 EncString; a wrong MAC (wrong key or tampering) raises `CryptoError`."""
    parsed = parse_encstring(text)
    if parsed.type != 2:
        raise CryptoError(f"Expected a symmetric key (type 2), got type {parsed.type}.")
    iv, data, tag = parsed.parts
    if len(iv) != 16 or len(tag) != 32 or not data or len(data) % 16:
        raise CryptoError("A symmetric EncString has the wrong sizes.")
    if not hmac.compare_digest(_mac(key, iv, data), tag):
        raise CryptoError("The data does not decrypt with this key (its MAC does not match).")
    enc_key = key.enc
    try:
        decryptor = Cipher(algorithms.AES(bytes(enc_key)), modes.CBC(iv)).decryptor()
        padded = bytearray(decryptor.update(data) + decryptor.finalize())
    finally:
        wipe(enc_key)
    unpadder = padding.PKCS7(128).unpadder()
    try:
        plain = bytearray(unpadder.update(bytes(padded)) + unpadder.finalize())
    except ValueError:
        raise CryptoError("The data decrypts to invalid padding.") from None
    finally:
        wipe(padded)
    return plain


def encrypt_symmetric(plain: bytes | bytearray, key: SymmetricKey, iv: bytes | None = None) -> str:
    """A type 2 EncString of `plain` under `key` (a fresh random IV unless a test gives one)."""
    iv = os.urandom(16) if iv is None else iv
    padder = padding.PKCS7(128).padder()
    padded = padder.update(bytes(plain)) + padder.finalize()
    enc_key = key.enc
    try:
        encryptor = Cipher(algorithms.AES(bytes(enc_key)), modes.CBC(iv)).encryptor()
        data = encryptor.update(padded) + encryptor.finalize()
    finally:
        wipe(enc_key)
    tag = _mac(key, iv, data)
    b64 = base64.b64encode
    return f"2.{b64(iv).decode()}|{b64(data).decode()}|{b64(tag).decode()}"


def encrypt_text(text: str, key: SymmetricKey) -> str:
    return encrypt_symmetric(unicodedata.normalize("NFC", text).encode("utf-8"), key)


# ---------------------------------------------------------------- RSA

_OAEP_SHA1 = OAEP(mgf=MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
_OAEP_SHA256 = OAEP(mgf=MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def load_private_key(der: bytes | bytearray) -> rsa.RSAPrivateKey:
    """The account's PKCS#8 DER private key (RSA, at least 2048 bits)."""
    try:
        # The DER was just authenticated (HMAC under the user key), so the ~40 ms RSA consistency
        # check (a third of a PBKDF2 unlock) adds nothing; `unlock` also compares its public half
        # with the server's copy.
        key = serialization.load_der_private_key(
            bytes(der), password=None, unsafe_skip_rsa_key_validation=True
        )
    except (ValueError, TypeError):
        raise CryptoError("The account's private key does not parse.") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise UnsupportedAccount("This account's private key is not a 2048-bit RSA key.")
    return key


def load_public_key(spki: bytes) -> rsa.RSAPublicKey:
    """A member's SPKI DER public key; refused unless RSA of at least 2048 bits."""
    try:
        key = serialization.load_der_public_key(spki)
    except (ValueError, TypeError):
        raise CryptoError("The member's public key does not parse.") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise CryptoError("The member's public key is not a 2048-bit (or larger) RSA key.")
    return key


def decrypt_asymmetric(text: str, private_key: rsa.RSAPrivateKey) -> bytearray:
    """Decrypt a type 4 (RSA-OAEP-SHA1) or type 3 (OAEP-SHA256) EncString."""
    parsed = parse_encstring(text)
    if parsed.type not in (3, 4):
        raise CryptoError(f"Expected an RSA-encrypted key (type 4), got type {parsed.type}.")
    scheme = _OAEP_SHA1 if parsed.type == 4 else _OAEP_SHA256
    try:
        return bytearray(private_key.decrypt(parsed.parts[0], scheme))
    except ValueError:
        raise CryptoError("The organization key does not open with this account's key.") from None


def encrypt_to_public_key(plain: bytes | bytearray, spki: bytes) -> str:
    """`"4." + b64(RSA-OAEP-SHA1(public key, plain))`: what the web vault and the CLI send."""
    sealed = load_public_key(spki).encrypt(bytes(plain), _OAEP_SHA1)
    return "4." + base64.b64encode(sealed).decode("ascii")
