"""Fixtures of the engine tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["narrow", "wide"])
def evidence_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a diagnosis test both ways engine/evidence.py can ask: naming the counties (narrow), and walking
    the election's VUID indexes (wide, which a test's few counties and records would otherwise never reach)."""
    from turnout_desktop.engine import evidence

    if request.param == "wide":
        monkeypatch.setattr(evidence, "NARROW_COUNTIES", -1)
    return str(request.param)
