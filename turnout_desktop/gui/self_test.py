"""``turnout-desktop --self-test``: the installation self-test (services/self_test.py) plus what only the desktop
app needs, the Qt platform, the svg icons and the stylesheet; run offscreen, no window is opened."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from turnout_desktop.resources_path import resource_path
from turnout_desktop.services.self_test import run_self_test


def check_icons_and_style() -> str:
    """The app icon renders (Qt's svg icon engine is installed) and the stylesheet is found."""
    path = resource_path("icons/app.svg")
    if not path.is_file():
        raise FileNotFoundError(f"{path} missing")
    if QIcon(str(path)).pixmap(QSize(32, 32)).isNull():
        raise RuntimeError(f"{path.name} does not render: Qt's svg icon engine (QtSvg) is missing")
    if not resource_path("style.qss").read_text(encoding="utf-8").strip():
        raise RuntimeError("style.qss is empty")
    return f"Qt platform {QApplication.platformName()}"


def run_desktop_self_test() -> int:
    """Print one line per check; 0 only if every check passed, else 1."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "turnout-desktop"])
    app.setApplicationName("Turnout Desktop")
    result = run_self_test(extra_checks=[("icons and style", check_icons_and_style)],
                           on_check=lambda check: print(check.line(), flush=True))
    return 0 if result.passed else 1
