"""The resource files: reachable through importlib.resources, consistent with each other and with
the program (script name, version, application id), as desktops and software centres read them."""

from __future__ import annotations

import configparser
import struct
import tomllib
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest

import app
from app import DESKTOP_ID

ROOT = Path(__file__).resolve().parents[2]
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _files() -> resources.abc.Traversable:
    return resources.files("app.resources")


def _script_name() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    scripts: dict[str, str] = config["project"]["scripts"]
    [name] = [name for name, target in scripts.items() if target == "app.cli:main"]
    return name


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read_string((_files() / f"{DESKTOP_ID}.desktop").read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def _metainfo() -> ET.Element:
    return ET.fromstring((_files() / f"{DESKTOP_ID}.metainfo.xml").read_bytes())  # noqa: S314


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE), "not a PNG file"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("size", ICON_SIZES)
def test_every_icon_size_is_a_square_png_of_that_size(size: int) -> None:
    data = (_files() / "icons" / f"scim-assistant-{size}.png").read_bytes()
    assert _png_size(data) == (size, size)


def test_the_icon_source_is_an_svg() -> None:
    root = ET.fromstring((_files() / "icons" / "scim-assistant.svg").read_bytes())  # noqa: S314
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"


def test_the_desktop_entry_starts_the_installed_program() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == _script_name()
    assert entry["TryExec"] == _script_name()
    assert entry["Name"] == app.APP_NAME
    assert entry["Terminal"] == "false"
    # The icon theme finds it by this name: resources/icons/<Icon>-<size>.png is installed as it.
    assert (_files() / "icons" / f"{entry['Icon']}-256.png").is_file()
    # X11 matches windows to the entry by WM_CLASS, which Qt sets from the executable's name.
    assert entry["StartupWMClass"] == _script_name()


def test_the_metainfo_describes_this_program_and_release() -> None:
    component = _metainfo()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == DESKTOP_ID
    assert component.findtext("name") == app.APP_NAME
    launchable = component.find("launchable")
    assert launchable is not None
    assert launchable.text == f"{DESKTOP_ID}.desktop"
    assert component.findtext("provides/binary") == _script_name()
    license_ = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'license = {{ text = "{component.findtext("project_license")}" }}' in license_
    versions = [release.get("version") for release in component.iterfind("releases/release")]
    assert app.__version__ in versions, "add a <release> for the new version to the metainfo"


def test_the_word_list_is_shipped_with_the_resources() -> None:
    texts = [entry.name for entry in _files().iterdir() if entry.name.endswith(".txt")]
    assert texts, "the EFF word list for fingerprint phrases is missing from app.resources"
