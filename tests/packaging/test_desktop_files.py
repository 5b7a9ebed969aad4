"""The desktop entry and the AppStream metainfo pass the freedesktop validators (CI installs them:
desktop-file-utils and appstream)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from app import DESKTOP_ID
from tests.packaging.conftest import ROOT

RESOURCES = ROOT / "resources"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return path


def test_the_desktop_entry_is_valid() -> None:
    tool = _tool("desktop-file-validate")
    done = subprocess.run(
        [tool, str(RESOURCES / f"{DESKTOP_ID}.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    # Only errors make it exit non-zero; its warnings are kept out too (hints are allowed).
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stdout, done.stdout


def test_the_metainfo_is_valid() -> None:
    tool = _tool("appstreamcli")
    done = subprocess.run(
        [tool, "validate", "--no-net", str(RESOURCES / f"{DESKTOP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
