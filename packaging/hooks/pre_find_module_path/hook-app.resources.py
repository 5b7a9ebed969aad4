"""`app.resources` is the top-level `resources/` folder (pyproject maps it with package-dir), which
PyInstaller's module search cannot know: point it there."""

from pathlib import Path
from typing import Any


def pre_find_module_path(api: Any) -> None:
    api.search_dirs = [str(Path(__file__).resolve().parents[3])]
