"""The native client's cryptography against the reference's known-answer vectors (§9)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.vault import crypto
from app.core.vault.crypto import KdfParams, KdfType
from app.core.vault.errors import CryptoError, UnsupportedAccount
from app.core.vault.fingerprint import fingerprint_phrase, same_phrase, word_list
from app.core.vault.keys import SymmetricKey

b64d = base64.b64decode

FINGERPRINT_SPKI = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuyYs8W7NWf0Zv35Ueco93730dtRKi4Jhc6Snar+86drE+ruSfaCW"
    "McbgsAoAj2Pm6KAzaJrTIVCqBERQ23OncpzjfcGAeyf+v3w/gSw/EjihMJ4AG5ICY4hLFYcGdgwa+7is+TVO0i6PEWjKQa3l"
    "2+mQo2XY7pg2ngHDMssV4gxSqq+qoBX3+FBhewCYdOV+3cebwsAzz7HwoFTxKViwNW8crbHonhZPhZgfIAzEkzo5MvzQg5az"
    "hLKW6vuPfaOQFC5HqPykVnh8OPzO0uzUi3+97CguAu4N2CgwVYXltZuw2fGamdVw3kjbxQPbOE1tL0j7gyTwYKkfUl2m8gMh"
    "1QIDAQAB"
)


@pytest.mark.parametrize(
    ("password", "salt", "expected"),
    [
        ("password", "user@example.com", "pj9prw/OHPleXI6bRdmlaD+saJS4awrMiQsQiDjeu2I="),
        ("pǻssword", "üser@example.com", "yqvoFXgMRmHR3QPYr5pyR4uVuoHkltv9aHUP63p8n7I="),
        ("😀password🙏", "user@example.com", "ZdeOata6xoRpB4DLp8zHhXz5kLmkWtX5pd+TdRH8w8w="),
    ],
)
def test_pbkdf2_master_key_matches_the_clients_vectors(
    password: str, salt: str, expected: str
) -> None:
    key = crypto.derive_master_key(password, salt, KdfParams(KdfType.PBKDF2_SHA256, 5000))
    assert bytes(key) == b64d(expected)


@pytest.mark.parametrize(
    "email", ["test@bitwarden.com", "TEST@bitwarden.com", " test@bitwarden.com"]
)
def test_pbkdf2_master_password_hash_normalises_the_email(email: str) -> None:
    key = crypto.derive_master_key("asdfasdf", email, KdfParams(KdfType.PBKDF2_SHA256, 100_000))
    hashed = crypto.master_password_hash(key, "asdfasdf")
    assert hashed == "wmyadRMyBZOH7P/a/ucTCbSghKgdzDpPqUnu/DAVtSw="


def test_argon2id_master_password_hash_hashes_the_salt_and_counts_memory_in_mib() -> None:
    params = KdfParams(KdfType.ARGON2ID, 4, memory_mib=32, parallelism=2)
    key = crypto.derive_master_key("asdfasdf", "test_salt", params)
    assert crypto.master_password_hash(key, "asdfasdf") == (
        "PR6UjYmjmppTYcdyTiNbAhPJuQQOmynKbdEl1oyi/iQ="
    )


def test_stretch_is_hkdf_expand_enc_and_mac() -> None:
    stretched = crypto.stretch(b64d("H09o4pZHsVrCUKzREYGEUYqnRaf+lQIbJ8VAKhbDVks="))
    assert bytes(stretched.enc) == b64d("bx+yLe6YJXKP13xTh63DF46GePk9hKO2ccW9zLwV7WA=")
    assert bytes(stretched.mac) == b64d("3X/O6mUbyiZWNCIcThy5EDA9f6bR98JX6BowVcH5s5s=")


def test_hkdf_expand_primitive() -> None:
    prk = b64d("F5h4KdYQnIVH4rKH0P9CZb1GrR4n16/sJrS0PsQEn0Y=")
    assert crypto.hkdf_expand(prk, b"info", 32) == b64d(
        "BnIqJlfnHm0e/2iB/15cbHyR19ARPIcWRp4oNS22CD8="
    )


SDK_ENCSTRING = (
    "2.2NokAMS6llUxk26oueMqrA==|6k0QD71SJLy2WEBDkV4esiTrgkP/z7eoSedSesGLGYE=|"
    "PE4sb0jpAwZW+tnyPuW43eeWvSxjvdw3xMJlPGbDlYI="
)


def test_type_2_encstring_decrypts_the_sdk_vector() -> None:
    key = SymmetricKey(bytes(range(64)))
    assert bytes(crypto.decrypt_symmetric(SDK_ENCSTRING, key)) == b"Bitwarden SDK test vector"


def test_type_2_encryption_with_the_same_iv_reproduces_the_sdk_vector() -> None:
    key = SymmetricKey(bytes(range(64)))
    iv = b64d("2NokAMS6llUxk26oueMqrA==")
    assert crypto.encrypt_symmetric(b"Bitwarden SDK test vector", key, iv) == SDK_ENCSTRING


def test_a_tampered_type_2_mac_is_refused_before_decrypting() -> None:
    key = SymmetricKey(bytes(range(64)))
    tampered = SDK_ENCSTRING[:-6] + "AAAAA="
    with pytest.raises(CryptoError, match="MAC"):
        crypto.decrypt_symmetric(tampered, key)
    with pytest.raises(CryptoError, match="MAC"):
        crypto.decrypt_symmetric(SDK_ENCSTRING, SymmetricKey(bytes(64)))


@pytest.mark.parametrize(
    "text",
    [
        "7.g1gcowE6AAERbwMYKgRQAAECAwQFBgcICQoLDA0OD6EFWBhOFBydtPaD3FJoSElLK0WL2KeR3EOokK1Y",
        "9.AAAA",
        "1.AAAA|AAAA|AAAA",
        "5.AAAA|AAAA",
    ],
)
def test_unknown_or_newer_encstring_types_are_refused_not_guessed(text: str) -> None:
    with pytest.raises(UnsupportedAccount, match="web vault"):
        crypto.parse_encstring(text)


@pytest.mark.parametrize("text", ["2.AAAA|AAAA", "hello", "2.@@|AA|AA", "4.AA|AA"])
def test_malformed_encstrings_are_errors(text: str) -> None:
    with pytest.raises(CryptoError):
        crypto.parse_encstring(text)


def test_rsa_oaep_sha1_round_trip_and_type_4_format() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    org_key = hashlib.sha512(b"org").digest()
    sealed = crypto.encrypt_to_public_key(org_key, spki)
    assert sealed.startswith("4.")
    assert "|" not in sealed
    assert bytes(crypto.decrypt_asymmetric(sealed, private)) == org_key


def test_a_short_rsa_public_key_is_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - refused on purpose
    spki = small.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(CryptoError, match="2048"):
        crypto.encrypt_to_public_key(bytes(64), spki)


def test_fingerprint_phrase_matches_the_sdk_vector() -> None:
    phrase = fingerprint_phrase("a09726a0-9590-49d1-a5f5-afe300b6a515", b64d(FINGERPRINT_SPKI))
    assert phrase == "turban-deftly-anime-chatroom-unselfish"


def test_the_word_list_is_the_eff_long_list() -> None:
    words = word_list()
    assert len(words) == 7776
    assert (words[0], words[-1]) == ("abacus", "zoom")
    assert {"drop-down", "felt-tip", "t-shirt", "yo-yo"} <= set(words)


def test_phrases_compare_whatever_the_case_or_spaces() -> None:
    assert same_phrase(
        "Turban deftly-anime chatroom  unselfish", "turban-deftly-anime-chatroom-unselfish"
    )
    assert not same_phrase("turban-deftly-anime-chatroom", "turban-deftly-anime-chatroom-unselfish")


def test_keys_are_wiped_in_place() -> None:
    key = SymmetricKey(bytes(range(1, 65)))
    before = key.material
    key.wipe()
    assert any(before)
    assert key.material == bytearray(64)
    assert key.wiped
    assert "1" not in repr(key)


def test_kdf_parameters_outside_the_clients_range_are_refused() -> None:
    with pytest.raises(CryptoError):
        crypto.derive_master_key("x", "a@b.c", KdfParams(KdfType.PBKDF2_SHA256, 1))
    with pytest.raises(CryptoError):
        crypto.derive_master_key("x", "a@b.c", KdfParams(KdfType.ARGON2ID, 3, 1, 1))
