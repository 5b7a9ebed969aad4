"""A v2 ("COSE") admin, as reference 3.5 and 3.7 describe one, opened by hand in the test: the
C2SP XAES-256-GCM vectors (9.9), a COSE user key past 64 bytes, a type 7 private key, signing
keys and security state, and the client-version minimum for v2 accounts (reference 1)."""

from __future__ import annotations

import base64
import struct
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.sandbox.server import Sandbox
from app.sandbox.vault.cose import xaes_256_gcm_seal
from tests.unit.sandbox import vault_client as vc

NONCE = b"ABCDEFGHIJKLMNOPQRSTUVWX"


def test_xaes_256_gcm_matches_the_c2sp_vectors() -> None:
    sealed = xaes_256_gcm_seal(b"\x01" * 32, NONCE, b"XAES-256-GCM", b"")
    assert sealed.hex() == "ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271"
    with_aad = xaes_256_gcm_seal(b"\x03" * 32, NONCE, b"XAES-256-GCM", b"c2sp.org/XAES-256-GCM")
    assert with_aad.hex() == "986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d"


def _cbor(data: bytes, at: int = 0) -> tuple[Any, int]:
    """A minimal CBOR reader (uints, negatives, byte/text strings, arrays, maps)."""
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        value = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        value, at = int.from_bytes(data[at : at + size], "big"), at + size
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        chunk = data[at : at + value]
        return (chunk if major == 2 else chunk.decode()), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _cbor(data, at)
            items.append(item)
        return items, at
    assert major == 5
    mapping = {}
    for _ in range(value):
        key, at = _cbor(data, at)
        mapping[key], at = _cbor(data, at)
    return mapping, at


def _xaes_open(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    """C2SP XAES-256-GCM, written from the spec."""
    aes = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
    l_value = int.from_bytes(aes.update(bytes(16)), "big")
    k1 = ((l_value << 1) & ((1 << 128) - 1)) ^ (0x87 if l_value >> 127 else 0)
    derived = b"".join(
        aes.update(
            (int.from_bytes(struct.pack(">BBcB", 0, i, b"X", 0) + nonce[:12], "big") ^ k1).to_bytes(
                16, "big"
            )
        )
        for i in (1, 2)
    )
    return AESGCM(derived).decrypt(nonce[12:], sealed, aad)


def _login(box: Sandbox, version: str = "2026.6.0") -> tuple[Any, bytes]:
    email, password = box.info["admin_email"], box.info["bw_password"]
    with vc.http(box) as client:
        key, hashed = vc.hashed_password(client, email, password)
        answer = vc.token_request(
            client, vc.password_form(email, hashed), {"Bitwarden-Client-Version": version}
        )
    return answer, key


def test_a_v2_admin_opens_by_the_reference_and_needs_a_recent_client(sandbox: Sandbox) -> None:
    switched = vc.control(sandbox, "POST", "/admin/login", json={"account": "v2"})
    assert switched.json()["account"] == "v2"
    old, _ = _login(sandbox, "2025.10.3")
    assert old.status_code == 400
    assert old.json()["error"] == "invalid_client_version"
    assert old.json()["ErrorModel"]["Message"] == (
        "Please update your app to continue using Bitwarden"
    )
    answer, master_key = _login(sandbox)
    assert answer.status_code == 200, answer.text
    token = answer.json()
    keys = token["AccountKeys"]
    assert keys["securityState"]["securityVersion"] == 2
    assert keys["signatureKeyPair"]["wrappedSigningKey"].startswith("7.")
    assert keys["signatureKeyPair"]["verifyingKey"]
    # the user key: type 2 under the stretched master key, a padded COSE key past 64 bytes
    padded = vc.open_type_2(token["Key"], vc.stretch(master_key))
    assert len(padded) > 64
    cose_key, end = _cbor(padded[: -padded[-1]])
    assert end == len(padded) - padded[-1]
    assert cose_key[1] == 4  # kty symmetric
    assert cose_key[3] == -70010  # XAES-256-GCM
    assert len(cose_key[-1]) == 32
    # the private key: type 7, COSE_Encrypt0 under that key, kid checked
    wrapped = keys["publicKeyEncryptionKeyPair"]["wrappedPrivateKey"]
    assert wrapped == token["PrivateKey"]
    assert wrapped.startswith("7.")
    (protected, unprotected, sealed), _ = _cbor(base64.b64decode(wrapped[2:]))
    header, _ = _cbor(protected)
    assert header[4] == cose_key[2]
    assert header[1] == -70010
    assert 24 <= len(protected) < 256  # a bstr head of 0x58 and one length byte
    # CBOR ["Encrypt0", protected, h''] (RFC 9052 Enc_structure), written out
    aad = b"\x83\x68Encrypt0" + bytes([0x58, len(protected)]) + protected + b"\x40"
    pkcs8 = _xaes_open(cose_key[-1], unprotected[5], sealed, aad)
    private = serialization.load_der_private_key(pkcs8, None)
    assert isinstance(private, rsa.RSAPrivateKey)
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert base64.b64decode(keys["publicKeyEncryptionKeyPair"]["publicKey"]) == public
    # the org key is still type 4 to the RSA key: a v2 client can confirm with it
    with vc.http(sandbox) as client:
        sync = client.get("/api/sync", headers=vc.bearer(token)).json()
    (organization,) = sync["profile"]["organizations"]
    assert vc.open_type_4(organization["key"], private) == sandbox.state.organization.symmetric_key
