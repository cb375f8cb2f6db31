"""A county with more than one logged reconciliation, made through the services with real CSV files:
LOVING uploads 12 early votes while the statewide roster holds 10 (escalated at 83.33 %), then the scheduled
check imports a newer statewide file with all 12 and heals it (resolved at 100 %)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from turnout_desktop.services import reconciliation
from turnout_desktop.services.check import run_check
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide, submit_files

ELECTION = dt.date(2026, 3, 3)
EV = "early-voting"


def statewide_csv(path: Path, county: str, count: int) -> Path:
    """A statewide roster of ``count`` DEM early votes of ``county``, dated before the snapshot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        for number in range(count):
            writer.writerow([f"{1_100_000_000 + number}", county, "DEM", EV, "0001", "2026-02-20"])
    return path


def summary_csv(path: Path, dem_early: int) -> Path:
    """A county summary (counts only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Party,Early Voting,Election Day,Mail,Total\nDEM,{dem_early},0,0,{dem_early}\n", encoding="utf-8")
    return path


def escalate_then_heal(ctx: AppContext, folder: Path) -> None:
    """Two logged runs of LOVING DEM: the upload's (ESCALATED) and the scheduled check's (RESOLVED)."""
    feed = folder / "feed"
    feed.mkdir(parents=True, exist_ok=True)
    import_statewide(ctx, [statewide_csv(folder / "statewide_asof_2026-03-01.csv", "LOVING", 10)], election=ELECTION)
    reconciliation.set_statewide_source(ctx, str(feed))
    (run,) = submit_files(ctx, [summary_csv(folder / "loving.csv", 12)], election=ELECTION, county="LOVING").reconcile
    assert run.status == "ESCALATED"
    statewide_csv(feed / "statewide_asof_2026-03-04.csv", "LOVING", 12)
    (summary,) = run_check(ctx, ELECTION).elections
    assert summary.healed == 1
