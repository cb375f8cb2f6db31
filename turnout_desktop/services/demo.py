"""Demo data: a small primary election with one county per fault kind, so every status can be seen.

The files are plain CSVs written by ``write_demo_files`` (also shipped in ``resources/demo/``); the
demo database is built through the same services a user would call (import, submit, reconcile).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from turnout_desktop.db.models import CountyTurnoutReference
from turnout_desktop.domain.counties import find_county
from turnout_desktop.engine.types import CancelCheck, ProgressCallback
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.worker_context import ContextSpec, open_worker_context

DEMO_ELECTION = dt.date(2026, 3, 3)
STATEWIDE_HEADER = ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]
ROSTER_HEADER = ["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]
METHOD_DAYS = {"early-voting": dt.date(2026, 2, 20), "mail-in": dt.date(2026, 2, 25),
               "election-day": DEMO_ELECTION}


@dataclass(frozen=True, slots=True)
class Voter:
    vuid: str
    county: str
    party: str
    method: str
    precinct: str
    vote_date: dt.date

    def statewide_row(self, county: str | None = None, method: str | None = None) -> list[str]:
        return [self.vuid, county or self.county, self.party, method or self.method, self.precinct,
                self.vote_date.isoformat()]

    def roster_row(self) -> list[str]:
        return [self.vuid, self.party, self.method, self.precinct, self.vote_date.isoformat()]


def _voters(county: str, count: int, rng: random.Random) -> list[Voter]:
    county_id = find_county(county).county_id  # type: ignore[union-attr]
    voters = []
    for index in range(count):
        method = rng.choices(list(METHOD_DAYS), weights=[6, 1, 3])[0]
        voters.append(Voter(f"1{county_id:03d}{index:06d}", county, rng.choice(["DEM", "REP"]), method,
                            f"{rng.randint(1, 4):04d}", METHOD_DAYS[method]))
    return voters


def write_demo_files(folder: Path) -> dict[str, Path]:
    """Write the demo statewide snapshot, a newer statewide source folder and county uploads."""
    rng = random.Random(20260303)
    folder.mkdir(parents=True, exist_ok=True)
    newer = folder / "statewide_source"
    newer.mkdir(exist_ok=True)
    statewide: list[list[str]] = []
    newer_rows: list[list[str]] = []
    uploads: dict[str, list[Voter]] = {}

    clean = _voters("LOVING", 40, rng)
    statewide += [v.statewide_row() for v in clean]
    uploads["LOVING"] = clean

    timing = _voters("KENEDY", 60, rng)  # election-day votes not yet in the first statewide snapshot
    statewide += [v.statewide_row() for v in timing if v.method != "election-day"]
    newer_rows += [v.statewide_row() for v in timing]
    uploads["KENEDY"] = timing

    missing = _voters("KING", 50, rng)  # five voters never reach the statewide roster
    statewide += [v.statewide_row() for v in missing[5:]]
    uploads["KING"] = missing

    duplicated = _voters("BORDEN", 45, rng)  # four mail voters also carry an early-voting record
    statewide += [v.statewide_row() for v in duplicated]
    statewide += [v.statewide_row(method="early-voting") for v in duplicated if v.method == "mail-in"][:4]
    uploads["BORDEN"] = duplicated

    moved = _voters("MCMULLEN", 55, rng)  # six voters filed under the neighbouring county
    statewide += [v.statewide_row(county="LIVE OAK" if i < 6 else None) for i, v in enumerate(moved)]
    uploads["MCMULLEN"] = moved

    extras = _voters("TERRELL", 48, rng)  # the database holds eight voters the county does not list
    statewide += [v.statewide_row() for v in extras]
    uploads["TERRELL"] = extras[8:]

    summary = _voters("KENT", 30, rng)
    statewide += [v.statewide_row() for v in summary]

    paths = {"statewide": folder / "statewide_2026-03-03_asof_2026-03-01.csv",
             "newer": newer / "statewide_2026-03-03_asof_2026-03-04.csv"}
    _write(paths["statewide"], STATEWIDE_HEADER, statewide)
    _write(paths["newer"], STATEWIDE_HEADER, statewide + newer_rows)
    for county, voters in uploads.items():
        path = folder / f"{county.lower().replace(' ', '_')}_roster.csv"
        _write(path, ROSTER_HEADER, [v.roster_row() for v in voters])
        paths[county] = path
    kent = folder / "kent_summary.csv"  # official numbers that no record supports
    _write(kent, ["Party", "Early Voting", "Election Day", "Mail", "Total"],
           [["DEM", "20", "9", "2", "31"], ["REP", "25", "14", "3", "42"]])
    paths["KENT"] = kent
    return paths


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def has_official_counts(ctx: AppContext) -> bool:
    with ctx.engine.connect() as connection:
        return bool(connection.execute(select(func.count()).select_from(CountyTurnoutReference)).scalar())


def seed_demo(ctx: AppContext, folder: Path | None = None) -> None:
    """Build the demo election through the real services (import, source set, submit + reconcile)."""
    from turnout_desktop.db.session import default_data_dir
    from turnout_desktop.services import reconciliation
    from turnout_desktop.services.submission import import_statewide, submit_files

    folder = folder or default_data_dir() / "demo"
    paths = write_demo_files(folder)
    import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
    reconciliation.set_statewide_source(ctx, str(paths["newer"].parent))
    for county in ("LOVING", "KENEDY", "KING", "BORDEN", "MCMULLEN", "TERRELL", "KENT"):
        submit_files(ctx, [paths[county]], election=DEMO_ELECTION, county=county)


def prepare_database(spec: ContextSpec, *, seed_if_empty: bool, demo_folder: Path | None = None,
                     progress: ProgressCallback, cancelled: CancelCheck) -> bool:
    """Open (on SQLite: migrate) the desktop app's database; seed the demo when it holds no official counts.

    Returns:
        True when demo data was seeded.
    """
    ctx = open_worker_context(spec)
    if not seed_if_empty or has_official_counts(ctx):
        return False
    progress(0.1, "seeding demo data")
    seed_demo(AppContext(engine=ctx.engine, user="demo", role="admin"), demo_folder)
    return True
