"""Bitwarden's account cryptography, as the server stores it and its clients compute it.

The sandbox holds real keys so that the official CLI can log in, unlock and confirm members against
it: a master key from PBKDF2-SHA256, the master-password hash the client sends instead of the
password, a user key wrapped as EncString type 2 (AES-256-CBC + HMAC-SHA256) under the stretched
master key, an RSA-2048 private key wrapped under the user key, and organization keys wrapped as
EncString type 4 (RSA-OAEP with SHA-1) to a member's public key — the formats of
`libs/common/src/key-management/crypto` in bitwarden/clients and `bitwarden-crypto` in the SDK.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field

import argon2.low_level
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

#: KdfType.PBKDF2_SHA256 and KdfType.Argon2id in clients and server.
KDF_PBKDF2_SHA256 = 0
KDF_ARGON2ID = 1
#: The server's defaults for new Argon2id settings (`KdfConstants`): 6 iterations, 32 MiB, 4 lanes.
DEFAULT_ARGON2_ITERATIONS = 6
DEFAULT_ARGON2_MEMORY_MIB = 32
DEFAULT_ARGON2_PARALLELISM = 4
#: The server's default (and, for new settings, minimum) PBKDF2 iteration count.
DEFAULT_KDF_ITERATIONS = 600_000
#: The lowest count clients accept at prelogin (`PBKDF2KdfConfig.PRELOGIN_ITERATIONS_MIN`).
MIN_KDF_ITERATIONS = 5_000

#: EncryptionType values (`encryption-type.enum.ts`).
AES_CBC_256_HMAC_SHA256 = 2
RSA_2048_OAEP_SHA1 = 4


class CryptoError(ValueError):
    """A ciphertext that does not authenticate, decrypt or parse; the message names no secret."""


def b64(data: bytes) -> str:
    """Standard base64 with padding, as Bitwarden writes keys and ciphertexts."""
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise CryptoError("not valid base64") from exc


@dataclass(frozen=True, repr=False)
class SymmetricKey:
    """An AES-256-CBC-HMAC-SHA256 key: 32 bytes to encrypt, 32 to authenticate (64 on the wire)."""

    enc_key: bytes
    mac_key: bytes

    def __post_init__(self) -> None:
        if len(self.enc_key) != 32 or len(self.mac_key) != 32:
            raise CryptoError("a symmetric key is 32 + 32 bytes")

    def __repr__(self) -> str:
        return "SymmetricKey(***)"

    @classmethod
    def generate(cls) -> SymmetricKey:
        """A fresh random key, as `makeUserKey` / `makeOrgKey` create (64 random bytes)."""
        return cls.from_bytes(os.urandom(64))

    @classmethod
    def from_bytes(cls, data: bytes) -> SymmetricKey:
        if len(data) != 64:
            raise CryptoError("a symmetric key is 64 bytes")
        return cls(enc_key=data[:32], mac_key=data[32:])

    def to_bytes(self) -> bytes:
        """The key's encoding (`toEncoded()`): what a type 4 EncString wraps."""
        return self.enc_key + self.mac_key


def make_master_key(password: str, email: str, iterations: int) -> bytes:
    """PBKDF2-SHA256(password, salt = the trimmed lower-case email), 32 bytes."""
    salt = email.strip().lower().encode("utf-8")
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, 32)


def make_master_key_argon2id(
    password: str, email: str, iterations: int, memory_mib: int, parallelism: int
) -> bytes:
    """Argon2id(password, salt = SHA-256(trimmed lower-case email)), memory given in MiB."""
    salt = hashlib.sha256(email.strip().lower().encode("utf-8")).digest()
    return argon2.low_level.hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=iterations,
        memory_cost=memory_mib * 1024,
        parallelism=parallelism,
        hash_len=32,
        type=argon2.low_level.Type.ID,
        version=19,
    )


@dataclass(frozen=True)
class Kdf:
    """An account's KDF settings as the server stores them (`Kdf`, `KdfIterations`, `KdfMemory`
    in MiB, `KdfParallelism`; the last two null for PBKDF2)."""

    kind: int = KDF_PBKDF2_SHA256
    iterations: int = DEFAULT_KDF_ITERATIONS
    memory: int | None = None
    parallelism: int | None = None

    def __post_init__(self) -> None:
        if self.kind == KDF_PBKDF2_SHA256:
            if self.iterations < MIN_KDF_ITERATIONS:
                raise ValueError(f"clients refuse fewer than {MIN_KDF_ITERATIONS} iterations")
        elif self.kind == KDF_ARGON2ID:
            if self.memory is None or self.parallelism is None:
                raise ValueError("Argon2id needs memory and parallelism")
            if self.iterations < 2 or self.memory < 16 or self.parallelism < 1:
                raise ValueError("clients refuse Argon2id below 2 iterations, 16 MiB, 1 lane")
        else:
            raise ValueError(f"unknown KDF type {self.kind}")

    @classmethod
    def argon2id(
        cls,
        iterations: int = DEFAULT_ARGON2_ITERATIONS,
        memory: int = DEFAULT_ARGON2_MEMORY_MIB,
        parallelism: int = DEFAULT_ARGON2_PARALLELISM,
    ) -> Kdf:
        return cls(KDF_ARGON2ID, iterations, memory, parallelism)

    def master_key(self, password: str, email: str) -> bytes:
        if self.kind == KDF_ARGON2ID and self.memory and self.parallelism:
            return make_master_key_argon2id(
                password, email, self.iterations, self.memory, self.parallelism
            )
        return make_master_key(password, email, self.iterations)


def master_password_hash(master_key: bytes, password: str) -> str:
    """What the client sends as `password` in the token request: PBKDF2(master key, password, 1)."""
    return b64(hashlib.pbkdf2_hmac("sha256", master_key, password.encode("utf-8"), 1, 32))


def stretch_master_key(master_key: bytes) -> SymmetricKey:
    """HKDF-Expand the 32-byte master key into the 64-byte key that wraps the user key."""
    return SymmetricKey(
        enc_key=HKDFExpand(hashes.SHA256(), 32, b"enc").derive(master_key),
        mac_key=HKDFExpand(hashes.SHA256(), 32, b"mac").derive(master_key),
    )


def encrypt_aes(plaintext: bytes, key: SymmetricKey) -> str:
    """EncString type 2: `2.<iv>|<ciphertext>|<mac>`, MAC = HMAC-SHA256(mac_key, iv + ct)."""
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key.enc_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    mac = hmac.new(key.mac_key, iv + ciphertext, hashlib.sha256).digest()
    return f"{AES_CBC_256_HMAC_SHA256}.{b64(iv)}|{b64(ciphertext)}|{b64(mac)}"


def decrypt_aes(enc_string: str, key: SymmetricKey) -> bytes:
    """Open an EncString type 2, checking its MAC first; `CryptoError` on any mismatch."""
    kind, _, body = enc_string.partition(".")
    parts = body.split("|")
    if kind != str(AES_CBC_256_HMAC_SHA256) or len(parts) != 3:
        raise CryptoError("not an AES-256-CBC-HMAC-SHA256 EncString (type 2)")
    iv, ciphertext, mac = (_unb64(part) for part in parts)
    expected = hmac.new(key.mac_key, iv + ciphertext, hashlib.sha256).digest()
    if len(iv) != 16 or not hmac.compare_digest(mac, expected):
        raise CryptoError("the EncString does not authenticate with this key")
    decryptor = Cipher(algorithms.AES(key.enc_key), modes.CBC(iv)).decryptor()
    try:
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise CryptoError("the EncString does not decrypt") from exc


def _oaep_sha1() -> OAEP:
    return OAEP(mgf=MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303


def encrypt_rsa(plaintext: bytes, public_key_der: bytes) -> str:
    """EncString type 4: `4.<base64 RSA-OAEP-SHA1 ciphertext>` (`encapsulateKeyUnsigned`)."""
    public_key = serialization.load_der_public_key(public_key_der)
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise CryptoError("not an RSA public key")
    return f"{RSA_2048_OAEP_SHA1}.{b64(public_key.encrypt(plaintext, _oaep_sha1()))}"


def decrypt_rsa(enc_string: str, private_key: rsa.RSAPrivateKey) -> bytes:
    """Open an EncString type 4 with the recipient's private key; `CryptoError` if it does not."""
    kind, _, body = enc_string.partition(".")
    if kind != str(RSA_2048_OAEP_SHA1) or not body or "|" in body:
        raise CryptoError("not an RSA-2048-OAEP-SHA1 EncString (type 4)")
    try:
        return private_key.decrypt(_unb64(body), _oaep_sha1())
    except ValueError as exc:
        raise CryptoError("the EncString does not decrypt with this private key") from exc


def generate_private_key() -> rsa.RSAPrivateKey:
    """An RSA-2048 key, as clients make an account's key pair (`makeKeyPair`)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_key_der(private_key: rsa.RSAPrivateKey) -> bytes:
    """SubjectPublicKeyInfo DER, base64-encoded in `/users/{id}/public-key` and `AccountKeys`."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_key_der(private_key: rsa.RSAPrivateKey) -> bytes:
    """PKCS#8 DER: what clients wrap with the user key."""
    return private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass(frozen=True, repr=False)
class MasterPasswordKeys:
    """What the server stores for an account with a master password: never the password itself.

    `password_hash` is the master-password hash the client will present; `wrapped_user_key` is the
    user key under the stretched master key (the token response's `Key`); `wrapped_private_key` is
    the account's PKCS#8 private key under the user key (`PrivateKey`).
    """

    email: str
    kdf: Kdf
    password_hash: str
    wrapped_user_key: str
    wrapped_private_key: str
    security_stamp: str = field(default_factory=lambda: b64(os.urandom(16)))
    #: v2 accounts only (`AccountKeys.signatureKeyPair` / `.securityState`; reference 3.7).
    signature_key_pair: dict[str, str] | None = None
    security_state: dict[str, str | int] | None = None

    @property
    def is_v2(self) -> bool:
        return self.wrapped_private_key.startswith("7.")

    def __repr__(self) -> str:
        return f"MasterPasswordKeys(email={self.email!r}, kdf={self.kdf!r})"

    @property
    def kdf_iterations(self) -> int:
        return self.kdf.iterations

    @classmethod
    def create(
        cls,
        email: str,
        password: str,
        private_key_pkcs8: bytes,
        kdf_iterations: int | Kdf = DEFAULT_KDF_ITERATIONS,
    ) -> MasterPasswordKeys:
        """Register an account as a client does: derive, hash, and wrap a fresh user key.

        `kdf_iterations` is a PBKDF2 count or a whole `Kdf` (Argon2id)."""
        kdf = kdf_iterations if isinstance(kdf_iterations, Kdf) else Kdf(iterations=kdf_iterations)
        master_key = kdf.master_key(password, email)
        user_key = SymmetricKey.generate()
        return cls(
            email=email.strip().lower(),
            kdf=kdf,
            password_hash=master_password_hash(master_key, password),
            wrapped_user_key=encrypt_aes(user_key.to_bytes(), stretch_master_key(master_key)),
            wrapped_private_key=encrypt_aes(private_key_pkcs8, user_key),
        )

    def password_matches(self, presented_hash: str) -> bool:
        """Constant-time check of the master-password hash a token request presents."""
        presented = presented_hash.encode("utf-8")
        return hmac.compare_digest(presented, self.password_hash.encode("utf-8"))


def wrap_org_key(org_key: SymmetricKey, member_public_key_der: bytes) -> str:
    """The organization key as a member receives it: type 4 to their public key."""
    return encrypt_rsa(org_key.to_bytes(), member_public_key_der)


def org_key_matches(enc_string: str, private_key: rsa.RSAPrivateKey, org_key: SymmetricKey) -> bool:
    """Whether a confirm request's `key` opens, with the member's private key, to the org key."""
    try:
        opened = decrypt_rsa(enc_string, private_key)
    except CryptoError:
        return False
    return hmac.compare_digest(opened, org_key.to_bytes())
