"""Fingerprint phrase: reference bw-cli-and-directory-connector.md A5 (algorithm, test vector)."""

from __future__ import annotations

import base64

from app.sandbox.fingerprint import eff_long_wordlist, fingerprint_phrase, hkdf_expand

VECTOR_USER_ID = "a09726a0-9590-49d1-a5f5-afe300b6a515"
VECTOR_PUBLIC_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuyYs8W7NWf0Zv35Ueco93730dtRKi4Jhc6Snar+86drE+ru"
    "SfaCWMcbgsAoAj2Pm6KAzaJrTIVCqBERQ23OncpzjfcGAeyf+v3w/gSw/EjihMJ4AG5ICY4hLFYcGdgwa+7is+TVO0i"
    "6PEWjKQa3l2+mQo2XY7pg2ngHDMssV4gxSqq+qoBX3+FBhewCYdOV+3cebwsAzz7HwoFTxKViwNW8crbHonhZPhZgfIA"
    "zEkzo5MvzQg5azhLKW6vuPfaOQFC5HqPykVnh8OPzO0uzUi3+97CguAu4N2CgwVYXltZuw2fGamdVw3kjbxQPbOE1tL0"
    "j7gyTwYKkfUl2m8gMh1QIDAQAB"
)


def test_reference_test_vector() -> None:
    """A5: the SDK's test vector gives `turban-deftly-anime-chatroom-unselfish`."""
    der = base64.b64decode(VECTOR_PUBLIC_KEY)
    assert len(der) == 294
    assert fingerprint_phrase(VECTOR_USER_ID, der) == "turban-deftly-anime-chatroom-unselfish"


def test_wordlist_is_the_eff_long_list() -> None:
    """A5: 7,776 words, in dice order, four of them with a hyphen."""
    words = eff_long_wordlist()
    assert len(words) == 7776
    assert len(set(words)) == 7776
    assert words[0] == "abacus"
    assert words[-1] == "zoom"
    assert sorted(w for w in words if "-" in w) == ["drop-down", "felt-tip", "t-shirt", "yo-yo"]


def test_hkdf_expand_matches_rfc5869_case_1() -> None:
    """A5 uses RFC 5869 HKDF-Expand; RFC 5869 test case 1's OKM from its PRK and info."""
    prk = bytes.fromhex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
    info = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9")
    okm = hkdf_expand(prk, info, 42)
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )
