"""Demo data: a small primary election with one county per fault kind, so every status can be seen.

The files are plain CSVs written by ``write_demo_files`` (also shipped in ``resources/demo/``); the
demo database is built through the same services a user would call (import, submit, reconcile).
Demo data lives only in a database of its own (``demo_database_path``, or a ``turnout-demo-*`` temporary
folder for ``turnout-desktop --demo``), marked by the ``demo_data`` setting, so its reports say DEMO and
it is never published; the local database that holds real work never receives it.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from turnout_desktop.db import settings_store
from turnout_desktop.db.models import CountyTurnoutReference
from turnout_desktop.db.session import default_data_dir, transaction
from turnout_desktop.domain.counties import find_county
from turnout_desktop.engine.types import CancelCheck, ProgressCallback
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.worker_context import ContextSpec, open_worker_context

log = logging.getLogger(__name__)

DEMO_ELECTION = dt.date(2026, 3, 3)
DEMO_FOLDER_NAME = "demo"  # in the user data folder: the demo database and its CSV files
DEMO_DATABASE_NAME = "turnout-demo.db"
TEMPORARY_PREFIX = "turnout-demo-"  # ``turnout-desktop --demo``'s folder in the temporary directory
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
    from turnout_desktop.services import reconciliation
    from turnout_desktop.services.submission import import_statewide, submit_files

    with transaction(ctx.engine) as session:  # marked first: a half-seeded database is demo data too
        settings_store.set_setting(session, settings_store.DEMO_DATA, "true")
    folder = folder or default_data_dir() / DEMO_FOLDER_NAME
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


def demo_database_path() -> Path:
    """The "Try with demo data" database: apart from the local database, in a folder of its own."""
    return default_data_dir() / DEMO_FOLDER_NAME / DEMO_DATABASE_NAME


def holds_demo_data(ctx: AppContext) -> bool:
    """Does the database hold demo data (the ``demo_data`` setting ``seed_demo`` writes)?"""
    with transaction(ctx.engine) as session:
        return settings_store.is_demo_database(session)


def make_temporary_folder() -> Path:
    """A fresh folder for ``turnout-desktop --demo``; ``remove_demo_database`` or the app's exit removes it."""
    return Path(tempfile.mkdtemp(prefix=TEMPORARY_PREFIX))


def is_demo_folder(folder: Path) -> bool:
    """Only these folders are removed whole: the user data folder's demo folder and ``--demo``'s own."""
    folder = folder.resolve()
    if folder == demo_database_path().parent.resolve():
        return True
    return folder.parent == Path(tempfile.gettempdir()).resolve() and folder.name.startswith(TEMPORARY_PREFIX)


def remove_temporary_folder(folder: Path | None) -> None:
    """Remove a ``--demo`` folder at exit; any other folder is left alone (and said so in the log)."""
    if folder is None or not folder.exists():
        return
    if not is_demo_folder(folder):
        log.warning("not removing %s: not a demo folder", folder)
        return
    shutil.rmtree(folder, ignore_errors=True)


def remove_demo_database(database: Path) -> None:
    """Delete a demo database file (with SQLite's journal files) and, for a demo folder, the whole folder.

    The caller closes every connection first (on Windows an open file cannot be deleted).

    Raises:
        InvalidRequest: the file is not a demo database; nothing is deleted.
    """
    from sqlalchemy import create_engine

    from turnout_desktop.errors import InvalidRequest

    if database.exists():
        engine = create_engine(f"sqlite:///{database}")
        try:
            with transaction(engine) as session:
                is_demo = settings_store.is_demo_database(session)
        finally:
            engine.dispose()
        if not is_demo:
            raise InvalidRequest(f"{database} holds no demo data; it is not removed.")
    if is_demo_folder(database.parent):
        shutil.rmtree(database.parent)
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
