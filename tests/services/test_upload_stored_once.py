"""The uploaded file's bytes are written once: no UPDATE of its ``source_file`` row after the INSERT.

SQLite stores a row as one record, so an UPDATE of any column (the read hints in ``layout``) rewrote the
whole upload: a 31 MB file left a 63 MB database with thousands of free pages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import text

from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import submit_files

ELECTION = dt.date(2026, 3, 3)


def test_a_big_upload_leaves_no_second_copy_and_keeps_its_hints(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "loving_roster.csv"
    note = "x" * 180
    with path.open("w", encoding="utf-8") as handle:
        handle.write("VUID,PARTY,VOTING_METHOD,PRECINCT,NOTE\n")
        handle.writelines(f"{1151000000 + index},DEM,early-voting,0001,{note}{index}\n" for index in range(30_000))
    size = path.stat().st_size
    engine = make_engine(sqlite_url)
    try:
        submit_files(AppContext(engine, user="clerk1"), [path], election=ELECTION, county="Loving",
                     party="DEM", reconcile=False)
        with engine.connect() as connection:
            free_bytes = (connection.execute(text("PRAGMA freelist_count")).scalar_one()
                          * connection.execute(text("PRAGMA page_size")).scalar_one())
        with transaction(engine) as session:
            layout = session.execute(text("SELECT layout FROM source_file")).scalar_one()
    finally:
        engine.dispose()
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    assert free_bytes < size / 10, (free_bytes, size)
    assert '"party":"DEM"' in layout.replace(" ", "")  # the hints went into the INSERT
    assert database.stat().st_size < 1.6 * size + 8_000_000, (database.stat().st_size, size)
