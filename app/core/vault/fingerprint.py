"""A member's fingerprint phrase, as the web vault and `bw get fingerprint` show it.

HKDF-Expand(PRK = SHA-256(SPKI DER), info = the member's user id, 32 bytes), read as one big-endian
integer, five base-7776 digits (least significant first) into the EFF long word list, joined by
`-`. Computed from the exact bytes the server sent; never from a re-encoded key.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources

from app.core.vault.crypto import hkdf_expand

WORDLIST_FILE = "eff_large_wordlist.txt"
WORDS = 5


@cache
def word_list() -> tuple[str, ...]:
    """The EFF long word list (7,776 words), from the program's resources."""
    text = resources.files("app.resources").joinpath(WORDLIST_FILE).read_text(encoding="utf-8")
    words = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(words) != 7776:
        raise RuntimeError(f"{WORDLIST_FILE} has {len(words)} words instead of 7776")
    return words


def fingerprint_phrase(user_id: str, spki: bytes) -> str:
    """The five-word phrase for the account `user_id` holding the public key `spki`."""
    material = hkdf_expand(hashlib.sha256(spki).digest(), user_id.encode("utf-8"), 32)
    number = int.from_bytes(material, "big")
    words = word_list()
    chosen = []
    for _ in range(WORDS):
        number, index = divmod(number, len(words))
        chosen.append(words[index])
    return "-".join(chosen)


def same_phrase(a: str, b: str) -> bool:
    """Two phrases are the same whatever the case, or spaces instead of `-` between the words."""

    def canon(text: str) -> list[str]:
        return [word for word in re.split(r"[\s\-]+", text.lower()) if word]

    return canon(a) == canon(b)
