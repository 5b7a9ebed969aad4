"""The wheel (pipx, PyInstaller) contains every package: pyproject lists them explicitly because
`resources/` is mapped to `app.resources`, so a new sub-package must be added there too."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "app").rglob("__init__.py")
    }
    found.add("app.resources")
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
