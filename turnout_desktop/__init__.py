"""Turnout Desktop: reconcile county turnout uploads with the statewide roster."""

from __future__ import annotations

import importlib.util
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path

from turnout_desktop.version import __version__

__all__ = ["__version__"]

_CHECKOUT = Path(__file__).resolve().parent.parent


class _CheckoutStrategiesFinder:
    """Finds ``turnout_desktop.strategies`` in the top-level strategies/ folder of this source checkout."""

    @staticmethod
    def find_spec(fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if fullname != f"{__name__}.strategies":
            return None
        folder = _CHECKOUT / "strategies"
        return importlib.util.spec_from_file_location(fullname, folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])


def _map_checkout_strategies() -> None:
    """An install maps strategies/ into this package (pyproject.toml [tool.setuptools.package-dir]). Run from a
    source checkout, this package takes the strategies/ folder beside it instead: the same checkout's, even when
    the editable install predates the mapping or points at another checkout."""
    in_checkout = (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "strategies" / "__init__.py").is_file()
    if in_checkout and not any(type(finder).__name__ == _CheckoutStrategiesFinder.__name__ for finder in sys.meta_path):
        sys.meta_path.insert(0, _CheckoutStrategiesFinder())


_map_checkout_strategies()
