"""Bitwarden's fingerprint phrase (reference A5): five EFF long-list words for a user's public key.

`keyFingerprint = SHA-256(SPKI DER)`, `userFingerprint = HKDF-Expand(keyFingerprint, info=userId,
32 bytes)`, then the 32 bytes as one big-endian integer give five base-7776 digits, least
significant first, each an index into the EFF long word list (`resources/eff_large_wordlist.txt`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from functools import cache
from importlib import resources

WORDLIST_FILE = "eff_large_wordlist.txt"
MINIMUM_ENTROPY = 64


@cache
def eff_long_wordlist() -> tuple[str, ...]:
    """The 7,776 words of the EFF long word list, in order."""
    text = resources.files("app.resources").joinpath(WORDLIST_FILE).read_text(encoding="utf-8")
    words = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(words) != 7776:
        raise RuntimeError(f"{WORDLIST_FILE} has {len(words)} words, expected 7776")
    return words


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 HKDF-Expand with SHA-256 (no Extract step, as Bitwarden uses it)."""
    output = b""
    block = b""
    counter = 1
    while len(output) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        output += block
        counter += 1
    return output[:length]


def fingerprint_words(user_id: str, public_key_der: bytes) -> list[str]:
    """`DefaultKeyService.getFingerprint` + `hashPhrase`: the words, least significant first."""
    words = eff_long_wordlist()
    key_fingerprint = hashlib.sha256(public_key_der).digest()
    user_fingerprint = hkdf_expand(key_fingerprint, user_id.encode("utf-8"), 32)
    count = math.ceil(MINIMUM_ENTROPY / math.log2(len(words)))
    number = int.from_bytes(user_fingerprint, "big")
    phrase: list[str] = []
    for _ in range(count):
        number, index = divmod(number, len(words))
        phrase.append(words[index])
    return phrase


def fingerprint_phrase(user_id: str, public_key_der: bytes) -> str:
    """The phrase as the web vault and `bw get fingerprint` show it: words joined by `-`."""
    return "-".join(fingerprint_words(user_id, public_key_der))
