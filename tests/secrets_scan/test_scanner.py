"""The scanner's controls: it finds a planted secret in every place and encoding it claims to,
so that zero hits elsewhere means something."""

from __future__ import annotations

import base64
import sqlite3
from pathlib import Path

import pytest

from tests.secrets_scan.scanner import Scanner, variants

SECRET = "Zq8wR3tY6uI9oP2aS5dF7gH1jK4lX0"


@pytest.mark.parametrize("encoding", sorted(variants(SECRET)))
def test_a_planted_secret_is_found_in_a_nested_file(encoding: str, tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / ".hidden"
    deep.mkdir(parents=True)
    (deep / "settings.conf").write_bytes(b"junk " + variants(SECRET)[encoding] + b" junk")
    (tmp_path / "clean.txt").write_text("nothing here")
    scanner = Scanner({"scim_key": SECRET})
    hits = scanner.scan_tree(tmp_path)
    assert [(h.secret, h.encoding) for h in hits] == [("scim_key", encoding)]
    assert hits[0].where.endswith("settings.conf")
    assert scanner.files_scanned == 2


def test_a_planted_secret_is_found_in_a_sqlite_database(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "history.sqlite3") as db:
        db.execute("create table t (v text)")
        db.execute("insert into t values (?)", (f"key={SECRET}",))
    assert Scanner({"k": SECRET}).scan_tree(tmp_path)


def test_a_planted_secret_is_found_in_a_stream() -> None:
    scanner = Scanner({"client_secret": SECRET})
    assert scanner.scan_stream("stderr", f"Traceback ... secret={SECRET}\n")
    assert scanner.scan_stream("stdout", base64.b64encode(SECRET.encode()))
    assert not scanner.scan_stream("stdout", "Bearer ***")
    assert scanner.streams_scanned == 3


def test_nothing_is_found_where_nothing_is(tmp_path: Path) -> None:
    (tmp_path / "f").write_text(SECRET[:-1] + "!")  # one character short is not the secret
    assert Scanner({"k": SECRET}).scan_tree(tmp_path) == []
