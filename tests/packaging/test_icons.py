"""The committed icon PNGs are renders of the SVG source, and the GUI loads them as one QIcon."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from app.gui.icons import ICON_SIZES, app_icon, icon_png
from tests.packaging.conftest import load_helper

build_icons = load_helper("build_icons")


def _image(data: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(data, "PNG")
    return image.convertToFormat(QImage.Format.Format_RGBA8888)


def _mean_difference(a: QImage, b: QImage) -> float:
    assert a.size() == b.size()
    raw_a, raw_b = bytes(a.constBits()), bytes(b.constBits())
    return sum(abs(x - y) for x, y in zip(raw_a, raw_b, strict=True)) / len(raw_a)


def test_the_gui_and_the_build_agree_on_the_sizes() -> None:
    assert tuple(ICON_SIZES) == tuple(build_icons.PNG_SIZES)


@pytest.mark.parametrize("size", [16, 48, 256])
def test_the_committed_pngs_match_the_svg(qapp: QApplication, size: int) -> None:
    """Fails after an SVG edit without `python packaging/build_icons.py` (allows renderer noise)."""
    fresh = _image(build_icons.render_png_bytes(build_icons.SVG, size))
    committed = _image(icon_png(size))
    assert _mean_difference(fresh, committed) < 1.0


def test_the_app_icon_has_every_size(qapp: QApplication) -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert set(icon.availableSizes()) == {QSize(s, s) for s in ICON_SIZES}


def test_a_size_not_shipped_is_an_error() -> None:
    with pytest.raises(FileNotFoundError):
        icon_png(17)
