"""Icons and stylesheet from the resources folder (works installed, editable and frozen)."""

from __future__ import annotations

import logging
from functools import cache

from PySide6.QtGui import QIcon

from turnout_desktop.gui.theme import themed_stylesheet
from turnout_desktop.resources_path import resource_path

log = logging.getLogger(__name__)


@cache
def icon(name: str) -> QIcon:
    """``resources/icons/<name>.svg`` as a QIcon (an empty icon when the file is missing)."""
    try:
        path = resource_path(f"icons/{name}.svg")
    except FileNotFoundError:
        return QIcon()
    if not path.is_file():
        log.debug("icon %s missing", name)
        return QIcon()
    return QIcon(str(path))


def stylesheet() -> str:
    """The application stylesheet, its colours taken from the current palette (empty when not shipped)."""
    try:
        path = resource_path("style.qss")
    except FileNotFoundError:
        return ""
    return themed_stylesheet(path.read_text(encoding="utf-8")) if path.is_file() else ""
