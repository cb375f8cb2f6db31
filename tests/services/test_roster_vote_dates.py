"""A roster upload keeps its latest vote date per party on its submission row (migration 0007), and the
timing evidence read from there is the one read from the voter rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from csv_files import write_csv
from sqlalchemy import Engine, select, update

from turnout_desktop.db.models import CountyRosterRow, Submission
from turnout_desktop.db.session import transaction
from turnout_desktop.engine.compare import compare
from turnout_desktop.engine.diagnose import diagnose
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide, submit_files

ELECTION = dt.date(2026, 3, 3)
HEADER = ["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]


def _roster(tmp_path: Path) -> Path:
    rows = [[f"{1_300_000_000 + n}", "DEM" if n % 2 else "REP", "early-voting", "0001", f"2026-02-{10 + n:02d}"]
            for n in range(8)] + [[f"{1_300_000_100}", "DEM", "early-voting", "0001", ""]]
    return write_csv(tmp_path / "loving.csv", HEADER, rows)


def test_the_upload_keeps_the_latest_vote_date_per_party(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="ada", role="admin")
    submit_files(ctx, [_roster(tmp_path)], election=ELECTION, county="LOVING", reconcile=False)
    with transaction(db_engine) as session:
        stored = session.execute(select(Submission.latest_vote_dates)).scalar_one()
        from_rows = {party: str(latest)[:10] for party, latest in session.execute(
            select(CountyRosterRow.party, CountyRosterRow.vote_date).order_by(CountyRosterRow.vote_date))
            if latest is not None}
    assert stored == {"DEM": "2026-02-17", "REP": "2026-02-16"} == from_rows


def test_timing_reads_the_same_from_the_submission_and_from_the_rows(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="ada", role="admin")
    statewide = write_csv(tmp_path / "sw.csv", ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"],
                          [[f"{1_300_000_001}", "LOVING", "DEM", "early-voting", "0001", "2026-02-11"]])
    import_statewide(ctx, [statewide], election=ELECTION)
    submit_files(ctx, [_roster(tmp_path)], election=ELECTION, county="LOVING", reconcile=False)

    def timing() -> object:
        with transaction(db_engine) as session:
            dem = [c for c in compare(session, ELECTION, county="LOVING", update=False) if c.party == "DEM"]
            return diagnose(session, dem[0]).details.get("timing")

    kept = timing()
    with transaction(db_engine) as session:
        session.execute(update(Submission).values(latest_vote_dates=None))  # as an upload stored before 0007
    assert kept == timing()
    assert kept == {"reason": "county votes dated after the latest statewide vote date",
                    "county_latest_vote_date": "2026-02-17", "statewide_latest_vote_date": "2026-02-11"}
