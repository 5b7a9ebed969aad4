"""A Bitwarden client written out by hand for the sandbox's vault tests (not the sandbox's crypto).

Derives the master key (PBKDF2 or Argon2id, reference 3.1), the hash sent as `password` (3.2),
opens type 2 and type 4 EncStrings (3.4), and posts the token request as official clients do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import argon2.low_level
import httpx
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import MGF1, OAEP
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from app.sandbox.server import Sandbox

HEADERS = {"Bitwarden-Client-Version": "2026.6.0", "Device-Type": "8"}
DEVICE = "0b8a4f5e-0000-4000-8000-00000000d0e1"


def master_key(password: str, email: str, prelogin: dict[str, Any]) -> bytes:
    salt = email.strip().lower().encode()
    if prelogin["kdf"] == 1:
        return argon2.low_level.hash_secret_raw(
            password.encode(),
            hashlib.sha256(salt).digest(),
            time_cost=prelogin["kdfIterations"],
            memory_cost=prelogin["kdfMemory"] * 1024,
            parallelism=prelogin["kdfParallelism"],
            hash_len=32,
            type=argon2.low_level.Type.ID,
        )
    iterations = prelogin["kdfIterations"]
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations, 32)


def password_hash(key: bytes, password: str) -> str:
    return base64.b64encode(hashlib.pbkdf2_hmac("sha256", key, password.encode(), 1, 32)).decode()


def open_type_2(enc: str, key: bytes) -> bytes:
    kind, _, body = enc.partition(".")
    assert kind == "2"
    iv, ciphertext, mac = (base64.b64decode(part) for part in body.split("|"))
    expected = hmac.new(key[32:], iv + ciphertext, hashlib.sha256).digest()
    assert hmac.compare_digest(mac, expected), "the MAC does not verify with this key"
    decryptor = Cipher(algorithms.AES(key[:32]), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + (
        unpadder.finalize()
    )


def stretch(key: bytes) -> bytes:
    return HKDFExpand(hashes.SHA256(), 32, b"enc").derive(key) + HKDFExpand(
        hashes.SHA256(), 32, b"mac"
    ).derive(key)


def open_type_4(enc: str, private_key: rsa.RSAPrivateKey) -> bytes:
    assert enc.startswith("4.")
    oaep = OAEP(mgf=MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
    return private_key.decrypt(base64.b64decode(enc[2:]), oaep)


def encrypt_type_4(data: bytes, spki: bytes) -> str:
    public = serialization.load_der_public_key(spki)
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = OAEP(mgf=MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303
    return "4." + base64.b64encode(public.encrypt(data, oaep)).decode()


def http(box: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=box.base_url, timeout=30)


def prelogin(client: httpx.Client, email: str) -> dict[str, Any]:
    answer = client.post("/identity/accounts/prelogin/password", json={"email": email})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def password_form(email: str, hashed: str, **extra: str) -> dict[str, str]:
    form = {
        "grant_type": "password",
        "username": email,
        "password": hashed,
        "scope": "api offline_access",
        "client_id": "desktop",
        "deviceType": "8",
        "deviceIdentifier": DEVICE,
        "deviceName": "linux",
    }
    form.update(extra)
    return form


def token_request(
    client: httpx.Client, form: dict[str, str], headers: dict[str, str] | None = None
) -> httpx.Response:
    return client.post(
        "/identity/connect/token", data=form, headers=HEADERS if headers is None else headers
    )


def hashed_password(client: httpx.Client, email: str, password: str) -> tuple[bytes, str]:
    key = master_key(password, email, prelogin(client, email))
    return key, password_hash(key, password)


def unlock(token: dict[str, Any], key: bytes) -> rsa.RSAPrivateKey:
    """The account's private key, opened from a token answer with the master key."""
    user_key = open_type_2(token["Key"], stretch(key))
    private = serialization.load_der_private_key(open_type_2(token["PrivateKey"], user_key), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    return private


def bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['access_token']}"}


def control(box: Sandbox, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, box.info["control_url"] + path, timeout=30, **kwargs)
