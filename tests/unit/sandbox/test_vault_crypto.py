"""The sandbox's account cryptography against Bitwarden's own test vectors and its own inverses."""

from __future__ import annotations

import base64

import pytest

from app.sandbox.vault import crypto


def test_master_password_hash_matches_the_sdk_vector() -> None:
    # bitwarden-crypto's test: "asdfasdf", "test@bitwarden.com", PBKDF2 100000.
    master_key = crypto.make_master_key("asdfasdf", " Test@Bitwarden.com ", 100_000)
    assert (
        crypto.master_password_hash(master_key, "asdfasdf")
        == "wmyadRMyBZOH7P/a/ucTCbSghKgdzDpPqUnu/DAVtSw="
    )


def test_argon2id_master_password_hash_matches_the_sdk_vector() -> None:
    # reference 9.2: Argon2id t=4, m=32 MiB, p=2, "asdfasdf", salt "test_salt" (SHA-256 inside).
    master_key = crypto.Kdf.argon2id(4, 32, 2).master_key("asdfasdf", "test_salt")
    assert (
        crypto.master_password_hash(master_key, "asdfasdf")
        == "PR6UjYmjmppTYcdyTiNbAhPJuQQOmynKbdEl1oyi/iQ="
    )


def test_clients_refuse_argon2id_below_their_minimums() -> None:
    for weak in ((1, 32, 4), (6, 15, 4), (6, 32, 0)):
        with pytest.raises(ValueError, match="Argon2id"):
            crypto.Kdf.argon2id(*weak)


def test_type_2_round_trip_and_tamper_detection() -> None:
    key = crypto.SymmetricKey.generate()
    enc = crypto.encrypt_aes(b"my items", key)
    assert enc.startswith("2.")
    assert enc.count("|") == 2
    assert crypto.decrypt_aes(enc, key) == b"my items"
    iv, ct, mac = enc[2:].split("|")
    raw = base64.b64decode(ct)
    flipped = base64.b64encode(bytes([raw[0] ^ 1]) + raw[1:]).decode()
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_aes(f"2.{iv}|{flipped}|{mac}", key)
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_aes(enc, crypto.SymmetricKey.generate())


def test_type_4_wraps_an_org_key_only_the_member_can_open() -> None:
    member, stranger = crypto.generate_private_key(), crypto.generate_private_key()
    org_key = crypto.SymmetricKey.generate()
    wrapped = crypto.wrap_org_key(org_key, crypto.public_key_der(member))
    assert wrapped.startswith("4.")
    assert "|" not in wrapped
    assert crypto.org_key_matches(wrapped, member, org_key)
    assert not crypto.org_key_matches(wrapped, stranger, org_key)
    assert not crypto.org_key_matches(wrapped, member, crypto.SymmetricKey.generate())
    assert not crypto.org_key_matches("2.AAAA|AAAA|AAAA", member, org_key)
    assert not crypto.org_key_matches("4.not base64!", member, org_key)


def test_master_password_keys_open_with_the_password_as_a_client_opens_them() -> None:
    private_key = crypto.generate_private_key()
    pkcs8 = crypto.private_key_der(private_key)
    keys = crypto.MasterPasswordKeys.create("Admin@Example.com", "correct horse", pkcs8, 5_000)
    master_key = crypto.make_master_key("correct horse", "admin@example.com", 5_000)
    assert keys.password_matches(crypto.master_password_hash(master_key, "correct horse"))
    assert not keys.password_matches(crypto.master_password_hash(master_key, "wrong"))
    user_key = crypto.SymmetricKey.from_bytes(
        crypto.decrypt_aes(keys.wrapped_user_key, crypto.stretch_master_key(master_key))
    )
    assert crypto.decrypt_aes(keys.wrapped_private_key, user_key) == pkcs8
    assert keys.password_hash not in repr(keys)


def test_clients_refuse_a_downgraded_kdf() -> None:
    with pytest.raises(ValueError, match="5000"):
        crypto.MasterPasswordKeys.create("a@example.com", "pw", b"", kdf_iterations=4_999)
