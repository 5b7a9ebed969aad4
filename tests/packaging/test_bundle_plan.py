"""The PyInstaller plan (packaging/bundle_plan.py), checked without a build: the frozen app gets
every resource file, the hidden imports exist, and pruning drops only what nothing else needs."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import PACKAGING, ROOT, load_helper

plan = load_helper("bundle_plan")


def test_every_resource_file_is_in_the_spec_data_list() -> None:
    files = plan.resource_files()
    assert files, "resources/ looks empty"
    missing = [str(f) for f in files if not plan.covered(f)]
    assert not missing, f"add a pattern to RESOURCE_PATTERNS in packaging/bundle_plan.py: {missing}"
    bundled = {Path(dest, Path(src).name) for src, dest in plan.resource_datas()}
    assert bundled == {Path(plan.RESOURCES_DEST, f) for f in files}


def test_an_unknown_kind_of_resource_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / "logo.png").write_bytes(b"png")
    (tmp_path / "notes.yaml").write_text("a: 1")
    (tmp_path / "__init__.py").write_text("")
    files = plan.resource_files(tmp_path)
    assert files == [Path("icons/logo.png"), Path("notes.yaml")]
    assert [f for f in files if not plan.covered(f)] == [Path("notes.yaml")]
    assert plan.resource_datas(tmp_path) == [
        (str(tmp_path / "icons" / "logo.png"), f"{plan.RESOURCES_DEST}/icons")
    ]


@pytest.mark.parametrize("name", plan.hidden_imports(sys.platform))
def test_every_hidden_import_exists_here(name: str) -> None:
    assert importlib.util.find_spec(name) is not None, name


def test_the_kept_qt_modules_are_not_excluded_and_the_heavy_ones_are() -> None:
    import PySide6

    excludes = plan.qt_excludes(Path(PySide6.__file__).parent)
    assert not set(excludes) & {f"PySide6.{m}" for m in plan.QT_MODULES_KEPT}
    for heavy in ("QtWebEngineCore", "QtQml", "QtQuick", "QtMultimedia", "Qt3DCore", "QtPdf"):
        if (Path(PySide6.__file__).parent / f"{heavy}.pyi").exists():
            assert f"PySide6.{heavy}" in excludes


def test_the_app_imports_no_qt_module_the_bundle_excludes() -> None:
    """A module excluded from the bundle but imported by the app would fail only when frozen."""
    used: set[str] = set()
    for source in (ROOT / "app").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.(Qt[A-Za-z0-9]+)", source.read_text(encoding="utf-8")))
    missing = sorted(used - set(plan.QT_MODULES_KEPT))
    assert not missing, f"add to QT_MODULES_KEPT in packaging/bundle_plan.py: {missing}"


def test_pruning_drops_plugins_and_the_libraries_only_they_need() -> None:
    links = {
        "/q/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so": {"/q/lib/libQt6Quick.so"},
        "/q/lib/libQt6Quick.so": {"/q/lib/libQt6Qml.so", "/q/lib/libQt6Gui.so"},
        "/q/lib/libQt6Qml.so": {"/q/lib/libQt6Core.so"},
        "/q/plugins/platforms/libqxcb.so": {"/q/lib/libQt6Gui.so"},
        "/q/lib/libQt6Gui.so": {"/q/lib/libQt6Core.so"},
        "/q/lib/libQt6Core.so": set(),
        "/py/libpython3.11.so": set(),  # loaded by the bootloader, linked by nobody
    }
    binaries = [
        (path.replace("/q/", "PySide6/Qt/").replace("/py/", ""), path, "BINARY") for path in links
    ]
    kept, removed = plan.prune_binaries(binaries, lambda src: links[src])
    assert {src for _, src, _ in removed} == {
        "/q/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "/q/lib/libQt6Quick.so",
        "/q/lib/libQt6Qml.so",
    }
    assert {src for _, src, _ in kept} == {
        "/q/plugins/platforms/libqxcb.so",
        "/q/lib/libQt6Gui.so",
        "/q/lib/libQt6Core.so",
        "/py/libpython3.11.so",
    }


def test_the_spec_is_valid_python_using_the_plan() -> None:
    spec = (PACKAGING / "scim-assistant.spec").read_text(encoding="utf-8")
    compile(spec, "scim-assistant.spec", "exec")
    for used in ("resource_datas()", "hidden_imports()", "prune_binaries(", "qt_excludes("):
        assert f"bundle_plan.{used}" in spec


def test_links_to_removed_libraries_are_dropped_too() -> None:
    removed = [("PySide6/Qt/lib/libQt6Qml.so.6", "/venv/libQt6Qml.so.6", "BINARY")]
    toc = [
        ("libQt6Qml.so.6", "PySide6/Qt/lib/libQt6Qml.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/venv/libQt6Core.so.6", "BINARY"),
    ]
    assert plan.without_links_to(toc, removed) == toc[1:]
