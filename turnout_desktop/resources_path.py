"""One helper to find bundled resource files, installed, editable or frozen (PyInstaller)."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """Return the folder holding ``texas_counties.csv``, icons, stylesheet and demo data."""
    candidates: list[Path] = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources")
    package_dir = Path(__file__).resolve().parent
    candidates.append(package_dir / "resources")  # wheel install: turnout_desktop/resources
    candidates.append(package_dir.parent / "resources")  # source checkout / editable install
    for candidate in candidates:
        if (candidate / "texas_counties.csv").is_file():
            return candidate
    try:  # editable installs map the package through a finder, not a folder
        from importlib.resources import files

        located = Path(str(files("turnout_desktop.resources")))
        if (located / "texas_counties.csv").is_file():
            return located
    except (ModuleNotFoundError, TypeError):
        pass
    raise FileNotFoundError("Turnout Desktop resources folder not found; reinstall the application.")


def resource_path(relative: str) -> Path:
    """Path of one bundled resource, e.g. ``resource_path("style.qss")``."""
    return resources_dir() / relative


@cache
def migrations_dir() -> Path:
    """The Alembic folder (``env.py``, ``versions/``): beside the package's db/ modules, or in a frozen bundle under
    ``sys._MEIPASS`` where build.spec puts it (Alembic reads it as files, not as imported modules)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = [Path(frozen_root) / "turnout_desktop" / "db" / "migrations"] if frozen_root else []
    candidates.append(Path(__file__).resolve().parent / "db" / "migrations")
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("Turnout Desktop database migrations not found; reinstall the application.")
