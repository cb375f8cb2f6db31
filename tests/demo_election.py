"""The demo election seeded through the real services, for tests that need escalated and resolved counties."""

from __future__ import annotations

from pathlib import Path

from turnout_desktop.services.context import AppContext, open_context
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files
from turnout_desktop.services.submission import import_statewide, submit_files


def seed_demo_election(db_url: str, tmp_path: Path, ctx: AppContext | None = None) -> None:
    """TERRELL and KENT escalate, LOVING resolves (all with trigger COUNTY_UPLOAD)."""
    ctx = ctx or open_context(db_url)
    paths = write_demo_files(tmp_path / "demo")
    try:
        import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
        for county in ("TERRELL", "KENT", "LOVING"):
            submit_files(ctx, [paths[county]], election=DEMO_ELECTION, county=county)
    finally:
        ctx.engine.dispose()
