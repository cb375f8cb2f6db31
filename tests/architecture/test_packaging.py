"""The package list in pyproject.toml covers every package folder and every resources folder."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _declared() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def _on_disk() -> set[str]:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("turnout_desktop", "strategies")
        for init in (ROOT / top).rglob("__init__.py")
    }
    found |= {
        ".".join(("turnout_desktop", *folder.relative_to(ROOT).parts))
        for folder in [ROOT / "resources", *(p for p in (ROOT / "resources").rglob("*") if p.is_dir())]
    }
    return found


def test_every_package_and_resource_folder_is_declared() -> None:
    declared, on_disk = _declared(), _on_disk()
    assert on_disk - declared == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert declared - on_disk == set(), "these declared packages no longer exist"
    assert "turnout_desktop.resources" in declared and "strategies" in declared
