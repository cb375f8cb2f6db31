"""The package list in pyproject.toml covers every package folder and every resources folder, and the top-level
strategies/ folder installs as ``turnout_desktop.strategies`` (never as a generic top-level ``strategies``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _declared() -> set[str]:
    return set(_setuptools()["packages"])


def _on_disk() -> set[str]:
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "turnout_desktop").rglob("__init__.py")}
    found |= {
        ".".join(("turnout_desktop", *init.parent.relative_to(ROOT).parts))
        for init in (ROOT / "strategies").rglob("__init__.py")
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
    assert "turnout_desktop.resources" in declared and "turnout_desktop.strategies" in declared
    assert "strategies" not in declared


def test_the_top_level_folders_are_mapped_into_the_package() -> None:
    assert _setuptools()["package-dir"] == {"turnout_desktop.resources": "resources",
                                            "turnout_desktop.strategies": "strategies"}


@pytest.mark.slow
def test_an_install_has_turnout_desktop_strategies_and_its_entry_points(tmp_path: Path) -> None:
    """A real (non-editable) install, built from a copy of the sources so the checkout gets no build/ folder."""
    source = tmp_path / "source"
    for folder in ("turnout_desktop", "strategies", "resources"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target),
                    str(source)], check=True, capture_output=True, timeout=600)
    assert (target / "turnout_desktop" / "strategies" / "fill_gaps.py").is_file()
    assert not (target / "strategies").exists()
    for shipped in ("texas_counties.csv", "texas_counties.json", "texas_counties.LICENSE",  # the map's shapes too
                    "user-guide.md"):  # Help > User guide opens it
        assert (target / "turnout_desktop" / "resources" / shipped).is_file(), shipped
    (dist_info,) = target.glob("turnout_desktop-*.dist-info")
    entry_points = (dist_info / "entry_points.txt").read_text(encoding="utf-8")
    assert "[turnout_desktop.strategies]" in entry_points
    assert "fill_gaps = turnout_desktop.strategies.fill_gaps:FillGaps" in entry_points
    script = ("import sys; sys.path.insert(0, sys.argv[1])\n"
              "import turnout_desktop.strategies as s\n"
              "print(s.__file__); print(','.join(x.name for x in s.default_strategies()))\n")
    shown = subprocess.run([sys.executable, "-c", script, str(target)], check=True, capture_output=True, text=True,
                           cwd=tmp_path, timeout=120).stdout.splitlines()
    assert shown[0].startswith(str(target))
    assert shown[1] == "refetch_statewide,fill_gaps,fix_districts,remove_duplicates,data_format,manual_review"


def test_the_build_spec_takes_its_strategy_list_from_the_registry() -> None:
    from turnout_desktop.strategies import default_strategies

    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert "strategy_modules()" in spec and "copy_metadata" in spec
    assert not [s.name for s in default_strategies() if s.name in spec], "build.spec names a strategy by hand"
