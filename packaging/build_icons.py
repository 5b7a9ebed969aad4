"""Render the application icon from its one SVG source.

The PNG sizes are committed under `resources/icons/` (so `pip install` and `pipx install` need no
build step; a test checks they still match the SVG). The `.ico` (Windows) and `.icns` (macOS) are
made by the PyInstaller spec at build time into the build folder, never committed.

    python packaging/build_icons.py        # re-render resources/icons/*.png after editing the SVG
    python packaging/build_icons.py --platform-icons build/icons   # also .ico and .icns there
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "resources" / "icons"
ICON_NAME = "scim-assistant"
SVG = ICON_DIR / f"{ICON_NAME}.svg"

#: The sizes desktops ask for: 16-48 for menus, title and task bars, 64-512 for docks and stores.
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: Windows uses up to 256 px from an .ico; larger entries are ignored.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(size: int, directory: Path = ICON_DIR) -> Path:
    return directory / f"{ICON_NAME}-{size}.png"


def render_png_bytes(svg: Path, size: int) -> bytes:
    """Render the SVG at `size` x `size` pixels with Qt's own SVG renderer and return PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # Kept referenced on the function so it outlives this call (Qt wants exactly one, alive).
        render_png_bytes.app = QGuiApplication([])  # type: ignore[attr-defined]
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"not a valid SVG: {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # PySide6 wants str; stubs say bytes
    buffer.close()
    return bytes(data.data())


def render_pngs(svg: Path = SVG, directory: Path = ICON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        path = png_path(size, directory)
        path.write_bytes(render_png_bytes(svg, size))
        written.append(path)
    return written


def write_platform_icons(outdir: Path, pngs: Path = ICON_DIR) -> tuple[Path, Path]:
    """Write `scim-assistant.ico` and `.icns` from the PNG sizes (Pillow writes both formats)."""
    from PIL import Image

    outdir.mkdir(parents=True, exist_ok=True)
    largest = Image.open(png_path(max(PNG_SIZES), pngs)).convert("RGBA")
    ico = outdir / f"{ICON_NAME}.ico"
    # Pillow uses the given image of each size: the rendered ones, not downscales of the largest.
    frames = [Image.open(png_path(size, pngs)).convert("RGBA") for size in ICO_SIZES]
    frames[-1].save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=frames[:-1])
    icns = outdir / f"{ICON_NAME}.icns"
    largest.save(icns, format="ICNS")
    return ico, icns


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--platform-icons", type=Path, metavar="DIR", help="also write .ico and .icns into DIR"
    )
    parser.add_argument("--no-png", action="store_true", help="do not re-render the committed PNGs")
    args = parser.parse_args(argv)
    if not args.no_png:
        for path in render_pngs():
            print(path.relative_to(ROOT))
    if args.platform_icons is not None:
        for path in write_platform_icons(args.platform_icons):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
