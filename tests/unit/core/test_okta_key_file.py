"""`permission_warnings`: the one check and sentence, for `profile save` and the wizard, about a
service-app key file other users of this computer can read (or that someone else owns)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.okta.key_file import permission_warnings

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _warnings_for(path: Path, mode: int) -> list[str]:
    path.write_text("-----BEGIN PRIVATE KEY-----\n")
    path.chmod(mode)
    return permission_warnings(str(path), os.stat(path))


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o444])
def test_a_file_the_group_or_others_can_read_is_said_with_the_chmod_to_run(
    tmp_path: Path, mode: int
) -> None:
    path = tmp_path / "okta.pem"
    (sentence,) = _warnings_for(path, mode)
    assert f"The private key file {path} can be read by other users of this computer" in sentence
    assert f"(mode {mode:o})" in sentence
    assert "The key was read" in sentence  # only a warning
    assert f"chmod 600 {path})" in sentence


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700, 0o620, 0o602])
def test_a_file_only_its_owner_can_read_gives_no_warning(tmp_path: Path, mode: int) -> None:
    # Written by others (0o620, 0o602) is not read by others: the key stays secret.
    assert _warnings_for(tmp_path / "okta.pem", mode) == []


def test_the_chmod_is_quoted_for_a_shell_and_the_path_shown_without_control_characters(
    tmp_path: Path,
) -> None:
    path = tmp_path / "my key\x1b]0;x\x07.pem"
    (sentence,) = _warnings_for(path, 0o644)
    assert sentence.isprintable()
    assert "chmod 600 '" in sentence  # one argument, spaces and all, once copied to a terminal
    assert "my key" in sentence


def test_a_file_another_user_owns_is_said(tmp_path: Path) -> None:
    path = tmp_path / "okta.pem"
    path.write_text("key")
    path.chmod(0o600)
    info = os.stat(path)
    fields = list(info)
    fields[4] = os.getuid() + 1  # st_uid: as if it belonged to someone else
    (sentence,) = permission_warnings(str(path), os.stat_result(fields))
    assert "belongs to another user of this computer" in sentence
    assert "chmod" not in sentence


def test_windows_modes_claim_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows reports 0o666 for every file it can write: the mode bits say nothing there."""
    path = tmp_path / "okta.pem"
    path.write_text("key")
    path.chmod(0o644)
    info = os.stat(path)
    monkeypatch.setattr(os, "name", "nt")
    found = permission_warnings(str(path), info)
    monkeypatch.undo()
    assert found == []
