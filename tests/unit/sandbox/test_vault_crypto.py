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


def test_type_2_round_trip_and_tamper_detection() -> None:
    key = crypto.SymmetricKey.generate()
    enc = crypto.encrypt_aes(b"my items", key)
    assert enc.startswith("2.")
    assert enc.count("|") == 2
    assert crypto.decrypt_aes(enc, key) == b"my items"
    iv, ct, mac = enc[2:].split("|")
    flipped = base64.b64encode(bytes([base64.b64decode(ct)[0] ^ 1]) + base64.b64decode(ct)[1:])
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_aes(f"2.{iv}|{flipped.decode()}|{mac}", key)
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt_aes(enc, crypto.SymmetricKey.generate())


def test_type_4_wraps_an_org_key_only_the_member_can_open() -> None:
    member, stranger = crypto.KeyPair.generate(), crypto.KeyPair.generate()
    org_key = crypto.SymmetricKey.generate()
    wrapped = crypto.wrap_org_key(org_key, member.public_key_der)
    assert wrapped.startswith("4.")
    assert "|" not in wrapped
    assert crypto.org_key_matches(wrapped, member, org_key)
    assert not crypto.org_key_matches(wrapped, stranger, org_key)
    assert not crypto.org_key_matches(wrapped, member, crypto.SymmetricKey.generate())
    assert not crypto.org_key_matches("2.AAAA|AAAA|AAAA", member, org_key)
    assert not crypto.org_key_matches("4.not base64!", member, org_key)


def test_account_keys_open_with_the_password_as_a_client_opens_them() -> None:
    account = crypto.AccountKeys.create("Admin@Example.com", "correct horse", kdf_iterations=5_000)
    master_key = crypto.make_master_key("correct horse", "admin@example.com", 5_000)
    assert account.password_matches(crypto.master_password_hash(master_key, "correct horse"))
    assert not account.password_matches(crypto.master_password_hash(master_key, "wrong"))
    user_key = crypto.SymmetricKey.from_bytes(
        crypto.decrypt_aes(account.wrapped_user_key, crypto.stretch_master_key(master_key))
    )
    assert user_key == account.user_key
    private_der = crypto.decrypt_aes(account.wrapped_private_key, user_key)
    assert private_der == account.key_pair.private_key_der()
    assert "correct horse" not in repr(account)
    assert account.password_hash not in repr(account)


def test_clients_refuse_a_downgraded_kdf() -> None:
    with pytest.raises(ValueError, match="5000"):
        crypto.AccountKeys.create("a@example.com", "pw", kdf_iterations=4_999)
