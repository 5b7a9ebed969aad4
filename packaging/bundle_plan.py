"""What goes into the frozen app: resources, imports PyInstaller cannot see, and what stays out.

Kept apart from `scim-assistant.spec` (which PyInstaller executes) so that tests can check the plan
without a build: every file under `resources/` must match a pattern here, or the frozen app would
lack it while the wheel has it.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
#: Where `app.resources` lives inside the bundle (importlib.resources finds the files there).
RESOURCES_DEST = "app/resources"

#: Every kind of resource file the app ships, relative to `resources/`. A new kind of file must be
#: added here; tests/packaging fails until it is.
RESOURCE_PATTERNS = (
    "*.txt",  # the EFF word list (fingerprint phrases)
    "*.license",  # the word list's CC-BY attribution, which must travel with it
    "*.desktop",  # the Linux desktop entry
    "*.metainfo.xml",  # AppStream metadata
    "icons/*.svg",  # the icon's source (also usable as a scalable icon)
    "icons/*.png",  # the icon in every size, for QIcon and the desktop's icon theme
    "translations/*.qm",  # compiled Qt translations, once there are any
)

#: Files under resources/ that are code or build litter, not resources.
NOT_RESOURCES = ("__init__.py", "*.pyc", "__pycache__/*", "*/__pycache__/*")

#: The Qt modules the app uses; every other PySide6 module is excluded so the bundle stays lean.
QT_MODULES_KEPT = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtSvg", "QtSvgWidgets")

#: Imported by name at run time, so PyInstaller's analysis cannot see them.
HIDDEN_IMPORTS_COMMON = (
    # keyring finds its backends through entry points (the keyring dist-info is copied too).
    "keyring.backends.SecretService",
    "keyring.backends.macOS",
    "keyring.backends.macOS.api",
    "keyring.backends.Windows",
    "keyring.backends.chainer",
    "keyring.backends.fail",
    "keyring.backends.null",
    # truststore picks its OS backend by platform at import time.
    "truststore",
    "app.resources",
    *(f"PySide6.{name}" for name in QT_MODULES_KEPT),
)
HIDDEN_IMPORTS_BY_PLATFORM = {
    "linux": ("secretstorage", "jeepney", "jeepney.io.blocking"),
    "win32": (
        "win32ctypes.core",
        "win32ctypes.pywin32.pywintypes",
        "win32ctypes.pywin32.win32cred",
    ),
    "darwin": (),
}

#: Installed in the build venv (dev tools, build-time helpers) but never used by the running app.
PYTHON_EXCLUDES = (
    "tkinter",
    "PIL",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "IPython",
    "numpy",
    "scim2_client",
    "scim2_models",
    "importlinter",
    "grimp",
    "PySide6.QtAsyncio",
    # httpx's optional command line (httpx/__init__ falls back when it cannot import it) and what
    # it would pull in: 10 MB of terminal rendering the app never uses.
    "httpx._main",
    "rich",
    "click",
    "pygments",
    "markdown_it",
)


def resource_files(root: Path = RESOURCES) -> list[Path]:
    """Every file under resources/ that is a resource (not code, not litter), relative to it."""
    files = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(root)
        if any(fnmatch.fnmatch(relative.as_posix(), pattern) for pattern in NOT_RESOURCES):
            continue
        files.append(relative)
    return files


def covered(relative: Path) -> bool:
    return any(fnmatch.fnmatch(relative.as_posix(), pattern) for pattern in RESOURCE_PATTERNS)


def resource_datas(root: Path = RESOURCES) -> list[tuple[str, str]]:
    """PyInstaller `datas`: (source file, destination folder) for each file the patterns cover."""
    datas = []
    for relative in resource_files(root):
        if covered(relative):
            dest = Path(RESOURCES_DEST, relative.parent).as_posix()
            datas.append((str(root / relative), dest))
    return datas


def qt_excludes(pyside_dir: Path) -> list[str]:
    """Every `PySide6.Qt*` extension module installed, less the ones the app uses."""
    names = {
        path.name.split(".", 1)[0] for path in pyside_dir.glob("Qt*.*") if path.suffix != ".pyi"
    }
    return sorted(f"PySide6.{name}" for name in names - set(QT_MODULES_KEPT) if name != "Qt")


def hidden_imports(platform: str = sys.platform) -> list[str]:
    return [*HIDDEN_IMPORTS_COMMON, *HIDDEN_IMPORTS_BY_PLATFORM.get(platform, ())]


#: Qt plugins the app never needs, as (bundle path pattern, why). Dropping one also drops the
#: libraries only it links to (see prune_binaries), which is where the size is: the virtual keyboard
#: alone pulls in QtQml and QtQuick, the GTK 3 theme the whole GTK stack.
DROPPED_PLUGINS = (
    (
        "*/plugins/platforminputcontexts/*qtvirtualkeyboard*",
        "on-screen keyboard; pulls QtQml, QtQuick",
    ),
    ("*/plugins/imageformats/*qpdf*", "PDF as an image format; pulls QtPdf"),
    (
        "*/plugins/platformthemes/*gtk3*",
        "GTK 3 theme; pulls GTK. The xdg-desktop-portal theme stays (dark mode, portal dialogs)",
    ),
    ("*/plugins/platforms/*eglfs*", "embedded full-screen platform"),
    ("*/plugins/platforms/*minimalegl*", "embedded platform"),
    ("*/plugins/platforms/*linuxfb*", "framebuffer platform"),
    ("*/plugins/platforms/*vnc*", "VNC server platform"),
    ("*/plugins/platforms/*vkkhrdisplay*", "bare Vulkan display platform"),
    ("*/plugins/egldeviceintegrations/*", "embedded EGL devices"),
    ("*/plugins/generic/*", "evdev/tuio input for embedded devices"),
    ("*/plugins/networkinformation/*", "network reachability; the app asks its servers instead"),
)

#: One (bundle path, source path, type) entry of PyInstaller's TOC.
TocEntry = tuple[str, str, str]


def _dropped(dest: str) -> bool:
    dest = dest.replace("\\", "/")
    return any(fnmatch.fnmatch(dest, pattern) for pattern, _ in DROPPED_PLUGINS)


def prune_binaries(
    binaries: list[TocEntry], imports_of: Callable[[str], set[str]]
) -> tuple[list[TocEntry], list[TocEntry]]:
    """Drop the unwanted plugins and every library that only they need: `(kept, removed)`.

    `imports_of(source)` gives the resolved paths a binary links to. A library another kept binary
    links to stays; so does anything nobody links to (libpython, libraries loaded with dlopen).
    """

    def key(path: str) -> str:
        return os.path.realpath(path)

    # Only real files are analysed (macOS framework SYMLINK entries pass through untouched); several
    # bundle paths may share one source file.
    files = [entry for entry in binaries if entry[2] in ("BINARY", "EXTENSION")]
    sources: dict[str, str] = {key(src): src for _, src, _ in files}

    def closure(start: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(start)
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(k for k in map(key, imports_of(sources[current])) if k in sources)
        return seen

    dropped = {key(src) for dest, src, _ in files if _dropped(dest)}
    candidates = closure(dropped) - dropped
    roots = set(sources) - dropped - candidates
    removed_keys = dropped | (candidates - closure(roots))
    removed = [entry for entry in files if key(entry[1]) in removed_keys]
    kept = [entry for entry in binaries if entry not in removed]
    return kept, removed


def without_links_to(toc: list[TocEntry], removed: list[TocEntry]) -> list[TocEntry]:
    """`toc` less the SYMLINK entries pointing at a removed file (PyInstaller links Qt's libraries
    into the top folder too; the links would dangle)."""
    gone = {PurePosixPath(dest.replace("\\", "/")) for dest, _, _ in removed}

    def target(dest: str, src: str) -> PurePosixPath:
        joined = PurePosixPath(dest.replace("\\", "/")).parent / src.replace("\\", "/")
        return PurePosixPath(posixpath.normpath(joined))

    return [
        (dest, src, kind)
        for dest, src, kind in toc
        if kind != "SYMLINK" or target(dest, src) not in gone
    ]
