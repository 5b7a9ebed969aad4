"""Key material in overwritable buffers.

Python copies bytes freely, so wiping cannot be complete; but every key this package holds for a
run lives in one `bytearray` that `wipe()` overwrites with zeros at the end of the run, so no
long-lived object keeps a key after logout.
"""

from __future__ import annotations

from app.core.vault.errors import CryptoError


def wipe(buffer: bytearray | None) -> None:
    """Overwrite `buffer` with zeros in place (the caller drops it after)."""
    if buffer is not None:
        buffer[:] = bytes(len(buffer))


class SymmetricKey:
    """An AES-256-CBC + HMAC-SHA256 key: 32 bytes to encrypt, 32 to authenticate (64 in all)."""

    __slots__ = ("_material",)

    def __init__(self, material: bytes | bytearray) -> None:
        if len(material) != 64:
            raise CryptoError(f"A symmetric key must be 64 bytes, not {len(material)}.")
        self._material = bytearray(material)

    def __repr__(self) -> str:
        return "SymmetricKey(***)"

    @classmethod
    def from_parts(cls, enc: bytes | bytearray, mac: bytes | bytearray) -> SymmetricKey:
        joined = bytearray(enc)
        joined += mac
        try:
            return cls(joined)
        finally:
            wipe(joined)

    @property
    def enc(self) -> bytearray:
        return self._material[:32]

    @property
    def mac(self) -> bytearray:
        return self._material[32:]

    @property
    def material(self) -> bytearray:
        """A copy of the 64 bytes (the caller wipes it when done)."""
        return bytearray(self._material)

    @property
    def wiped(self) -> bool:
        return not any(self._material)

    def wipe(self) -> None:
        wipe(self._material)
