"""Check a built bundle before anyone runs it: what must be inside is, what was pruned is gone.

    python packaging/check_bundle.py dist/scim-assistant

Catches what only shows on an admin's machine: a keyring backend or its entry points missing (the
program would then find no keyring at all), a resource file missing, a pruned Qt library that
something still links to. Prints the bundle's size. `make package` runs it after every build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import bundle_plan  # packaging/ is this script's folder, so first on sys.path

#: Modules the frozen app must contain on every OS (keyring backends are found through entry points
#: at run time, truststore picks its backend by platform: static analysis alone would miss them).
REQUIRED_MODULES = (
    "app.cli",
    "app.resources",
    "app.gui.single_instance",
    "app.gui.icons",
    "keyring.backends.SecretService",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.chainer",
    "truststore",
)
REQUIRED_BY_PLATFORM = {
    "linux": ("secretstorage", "jeepney"),
    "win32": ("win32ctypes.pywin32.win32cred",),
    "darwin": (),
}
#: Large libraries the pruning removes; one of these in the bundle means it regressed.
MUST_BE_ABSENT = ("libQt6Qml", "libQt6Quick", "libQt6Pdf", "libQt6WebEngine", "libgtk-3", "QtQml.")


def _internal(bundle: Path) -> Path:
    inner = bundle / "_internal"
    if not inner.is_dir():  # macOS .app: Contents/Frameworks
        inner = bundle / "Contents" / "Frameworks"
    return inner


def _executable(bundle: Path) -> Path:
    for candidate in (
        bundle / "scim-assistant",
        bundle / "scim-assistant.exe",
        bundle / "Contents" / "MacOS" / "scim-assistant",
    ):
        if candidate.is_file():
            return candidate
    raise SystemExit(f"no scim-assistant executable in {bundle}")


def problems(bundle: Path) -> Iterator[str]:
    from PyInstaller.archive.readers import pkg_archive_contents

    inner = _internal(bundle)
    contents = set(pkg_archive_contents(str(_executable(bundle))))
    for module in (*REQUIRED_MODULES, *REQUIRED_BY_PLATFORM.get(sys.platform, ())):
        if module not in contents:
            yield f"module {module} is not in the bundle"

    entry_points = list(inner.glob("keyring-*.dist-info/entry_points.txt"))
    if not entry_points:
        yield "keyring's dist-info (entry points) is missing: no keyring backend would be found"
    elif "SecretService" not in entry_points[0].read_text(encoding="utf-8"):
        yield "keyring's entry points do not list the SecretService backend"

    for relative in bundle_plan.resource_files():
        if not (inner / bundle_plan.RESOURCES_DEST / relative).is_file():
            yield f"resource {relative} is missing"

    for path in inner.rglob("*"):
        if any(path.name.startswith(prefix) for prefix in MUST_BE_ABSENT):
            yield f"{path.relative_to(bundle)} should have been left out"

    if sys.platform.startswith("linux"):
        yield from _unresolved_qt_libraries(inner)


def _unresolved_qt_libraries(inner: Path) -> Iterator[str]:
    """A Qt library some bundled binary links to but the bundle lacks (pruned one too many)."""
    env = {
        **os.environ,
        "LD_LIBRARY_PATH": os.pathsep.join([str(inner), str(inner / "PySide6" / "Qt" / "lib")]),
    }
    ldd = shutil.which("ldd")
    if ldd is None:
        yield "ldd is not installed: cannot check the bundled libraries"
        return
    for binary in sorted(inner.rglob("*.so*")):
        if binary.is_symlink() or not binary.is_file():
            continue
        done = subprocess.run(  # noqa: S603 - ldd on our own build output
            [ldd, str(binary)], capture_output=True, text=True, env=env, check=False
        )
        for line in done.stdout.splitlines():
            if "not found" in line and "libQt6" in line:
                yield f"{binary.relative_to(inner)}: {line.strip()}"


def size_mb(bundle: Path) -> float:
    files = (p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="dist/scim-assistant (or the .app on macOS)")
    args = parser.parse_args(argv)
    found = list(problems(args.bundle))
    for problem in found:
        print(f"check_bundle: {problem}", file=sys.stderr)
    files = sum(1 for p in args.bundle.rglob("*") if p.is_file())
    print(f"check_bundle: {args.bundle}: {size_mb(args.bundle):.0f} MB in {files} files")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
