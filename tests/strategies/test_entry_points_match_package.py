"""The built-in strategies are listed twice, on purpose: as entry points in pyproject.toml (how every strategy,
an office's own included, is found) and as the modules of the strategies/ folder (scanned, so a checkout whose
installed metadata predates a strategy still finds it). The two lists must stay equal: a strategy file without its
entry point, or an entry point without its file, fails here."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import turnout_desktop.strategies as registry
from turnout_desktop.strategies import ENTRY_POINT_GROUP, default_strategies

ROOT = Path(__file__).resolve().parents[2]


def _declared_in_pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return dict(project["entry-points"][ENTRY_POINT_GROUP])


def _found_by_the_package_scan(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Name -> ``module:Class`` of what the scan of strategies/ alone finds (no entry points at all)."""
    monkeypatch.setattr(registry, "entry_points", lambda group: [])
    return {strategy.name: f"{type(strategy).__module__}:{type(strategy).__qualname__}"
            for strategy in default_strategies()}


def test_the_pyproject_entry_points_are_exactly_the_strategies_in_the_package(
        monkeypatch: pytest.MonkeyPatch) -> None:
    declared, scanned = _declared_in_pyproject(), _found_by_the_package_scan(monkeypatch)
    assert sorted(scanned.keys() - declared.keys()) == [], \
        "strategies/ has these without an entry point in pyproject.toml"
    assert sorted(declared.keys() - scanned.keys()) == [], \
        "pyproject.toml declares these entry points, strategies/ has no such strategy"
    assert declared == scanned  # each entry point names the class of the same name
