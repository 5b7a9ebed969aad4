"""packaging/install-linux-desktop.sh puts the menu entry and icons where the desktop looks, and
takes them away again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import DESKTOP_ID
from tests.packaging.conftest import PACKAGING

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktops")
SCRIPT = PACKAGING / "install-linux-desktop.sh"


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    return subprocess.run(
        ["sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False
    )


def test_install_then_uninstall(isolated_home: Path) -> None:
    data = isolated_home / ".local" / "share"
    installed = _run(isolated_home)
    assert installed.returncode == 0, installed.stderr
    entry = data / "applications" / f"{DESKTOP_ID}.desktop"
    assert "Icon=scim-assistant" in entry.read_text(encoding="utf-8")
    assert (data / "metainfo" / f"{DESKTOP_ID}.metainfo.xml").is_file()
    hicolor = data / "icons" / "hicolor"
    for size in (16, 48, 256, 512):
        assert (hicolor / f"{size}x{size}" / "apps" / "scim-assistant.png").is_file()
    assert (hicolor / "scalable" / "apps" / "scim-assistant.svg").is_file()

    removed = _run(isolated_home, "--uninstall")
    assert removed.returncode == 0, removed.stderr
    left = [p for p in data.rglob("scim*") if p.is_file()] + list(data.rglob("*.desktop"))
    assert left == []


def test_a_folder_without_the_program_is_refused(isolated_home: Path, tmp_path: Path) -> None:
    done = _run(isolated_home, str(tmp_path))
    assert done.returncode == 2
    assert "no scim-assistant executable" in done.stderr
