"""The application icon, loaded from `app.resources` through importlib.resources.

Built from the pre-rendered PNG sizes rather than the SVG: every size is pixel-exact, and no SVG
image plugin is needed at run time (the frozen app ships without the ones it does not use). Reading
bytes instead of file paths keeps it working however the package is installed (wheel, pipx, frozen).
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QIcon, QPixmap

ICON_NAME = "scim-assistant"
#: The rendered sizes under resources/icons/ (packaging/build_icons.py writes them).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_png(size: int) -> bytes:
    """The icon as PNG bytes at `size` pixels (FileNotFoundError for a size not shipped)."""
    return (resources.files("app.resources") / "icons" / f"{ICON_NAME}-{size}.png").read_bytes()


def app_icon() -> QIcon:
    """The program's icon in every shipped size (needs a QGuiApplication, as any pixmap does)."""
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap()
        if not pixmap.loadFromData(icon_png(size), "PNG"):
            raise ValueError(f"the {size} px application icon is not a readable PNG")
        icon.addPixmap(pixmap)
    return icon
