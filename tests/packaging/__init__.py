"""Tests of the packaging: the PyInstaller plan, the wheel, the icons and the desktop files."""
