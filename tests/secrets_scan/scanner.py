"""Finds known secrets in bytes, streams and directory trees.

A secret counts as found in its plain UTF-8 form and in the encodings a careless program would
write it in: UTF-16 (Windows APIs, Qt's INI escapes of wide strings), base64 and hex. The scanner
reads every regular file (SQLite databases and their journals included) byte by byte, so a secret
in a binary file is found too.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Hit:
    """A secret found: where, which secret (by name, never its value) and in what encoding."""

    where: str
    secret: str
    encoding: str


def variants(value: str) -> dict[str, bytes]:
    """The encodings to look for, each distinct (base64url equals base64 for most values)."""
    raw = value.encode()
    forms = {
        "utf-8": raw,
        "utf-16-le": value.encode("utf-16-le"),
        "base64": base64.b64encode(raw).rstrip(b"="),
        "base64url": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "hex": raw.hex().encode(),
    }
    distinct: dict[str, bytes] = {}
    for name, needle in forms.items():
        if needle not in distinct.values():
            distinct[name] = needle
    return distinct


@dataclass
class Scanner:
    """Scan streams and trees for `secrets` (name → value); counts what it scanned."""

    secrets: Mapping[str, str]
    files_scanned: int = 0
    streams_scanned: int = 0
    bytes_scanned: int = 0
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, value in self.secrets.items():
            assert len(value) >= 8, f"secret {name} is too short to scan for reliably"
        self._needles = {
            (name, encoding): needle
            for name, value in self.secrets.items()
            for encoding, needle in variants(value).items()
        }

    def scan_bytes(self, where: str, data: bytes) -> list[Hit]:
        self.bytes_scanned += len(data)
        found = [
            Hit(where, name, encoding)
            for (name, encoding), needle in self._needles.items()
            if needle in data
        ]
        self.hits += found
        return found

    def scan_stream(self, where: str, data: bytes | str) -> list[Hit]:
        self.streams_scanned += 1
        return self.scan_bytes(where, data.encode() if isinstance(data, str) else data)

    def scan_tree(self, root: Path) -> list[Hit]:
        found: list[Hit] = []
        for path in sorted(_files(root)):
            self.files_scanned += 1
            found += self.scan_bytes(str(path), path.read_bytes())
        return found

    def scan_trees(self, roots: Iterable[Path]) -> list[Hit]:
        return [hit for root in roots for hit in self.scan_tree(root)]


def _files(root: Path) -> Iterable[Path]:
    """Every regular file under `root` (symlinks are not followed: they point elsewhere)."""
    if root.is_file() and not root.is_symlink():
        yield root
        return
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            yield path
