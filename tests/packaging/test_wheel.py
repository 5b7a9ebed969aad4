"""The wheel (what `pipx install .` installs) holds every module and resource, and the program runs
from it, not from this source tree: resources are found through importlib.resources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import app
from tests.packaging.conftest import ROOT, load_helper

plan = load_helper("bundle_plan")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the tree, so the build leaves nothing in the working tree."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    litter = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("app", "resources"):
        shutil.copytree(ROOT / name, source / name, ignore=litter)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    out = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
        check=True,
        timeout=300,
    )
    [built] = out.glob("*.whl")
    return built


def test_the_wheel_holds_every_module_and_resource(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {
        source.relative_to(ROOT).as_posix()
        for source in (ROOT / "app").rglob("*.py")
        if "__pycache__" not in source.parts
    }
    missing_modules = sorted(modules - names)
    assert not missing_modules, (
        "not in the wheel (a folder without __init__.py, or a package missing from "
        f"[tool.setuptools] packages in pyproject.toml): {missing_modules}"
    )
    resources = {f"app/resources/{f.as_posix()}" for f in plan.resource_files()}
    missing_resources = sorted(resources - names)
    assert not missing_resources, f"add to [tool.setuptools.package-data]: {missing_resources}"


def test_the_installed_program_runs_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site)]
    subprocess.run([*install, str(wheel)], check=True, timeout=300)
    probe = (
        "import app, sys; from importlib import resources; "
        "root = resources.files('app.resources'); "
        "print(app.__file__); "
        "print(len((root / 'icons' / 'scim-assistant-256.png').read_bytes())); "
        "print(sorted(e.name for e in root.iterdir() if e.name.endswith('.txt')))"
    )
    # PYTHONPATH puts the installed copy ahead of this checkout's editable install; the current
    # directory (first on sys.path for -c) is the empty tmp_path, not the source tree.
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    module_file, icon_bytes, texts = done.stdout.splitlines()
    assert Path(module_file).is_relative_to(site)
    assert int(icon_bytes) > 0
    assert texts != "[]"
    version = subprocess.run(
        [sys.executable, "-m", "app", "--version"], cwd=tmp_path, env=env, capture_output=True
    )
    assert version.stdout.decode().strip() == f"scim-assistant {app.__version__}"
