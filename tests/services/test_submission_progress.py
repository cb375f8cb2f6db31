"""Submitting a roster tells the running count of stored rows, chunk by chunk (db/bulk.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from turnout_desktop.db.models import CountyRosterRow
from turnout_desktop.db.session import transaction
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import submit_files

ROWS = 120_001  # two full chunks of 50,000 rows and a part one


def test_storing_a_roster_reports_rows_done_of_total(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "Loving County EV REP.csv"
    path.write_text("VUID\n" + "".join(f"{1_000_000_000 + i}\n" for i in range(ROWS)), encoding="utf-8")
    heard: list[tuple[float, str]] = []
    submit_files(AppContext(db_engine, user="clerk1"), [path], election=dt.date(2026, 3, 3), county="Loving",
                 reconcile=False, progress=lambda fraction, text: heard.append((fraction, text)))
    storing = [(fraction, text) for fraction, text in heard if text.startswith("Storing ")]
    assert [text for _, text in storing] == [f"Storing {ROWS:,} rows from {path.name}"] + [
        f"Storing {done:,} of {ROWS:,} rows from {path.name}" for done in (50_000, 100_000, ROWS)]
    fractions = [fraction for fraction, _ in storing]
    assert fractions == sorted(fractions) and fractions[0] == 0.4 and fractions[-1] == pytest.approx(0.6)
    with transaction(db_engine) as session:
        assert session.scalar(select(func.count()).select_from(CountyRosterRow)) == ROWS
