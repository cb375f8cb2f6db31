"""docs/reliability.md T8: several offices submit the same county at once (SQLite WAL and PostgreSQL).

4 real processes x 10 iterations (CI size; 8 x 200 nightly) submit three overlapping uploads for one
county, each worker starting at a different file so they keep replacing each other's submissions.
Afterwards: no roster row stored twice for one (submission, file, sheet, row_no), exactly one current
submission for the county, the official counts equal the current upload's counts, every stored
submission has all its rows and its audit event, the audit chain verifies, the SQLite file passes
``integrity_check`` and no process failed (no "database is locked": BEGIN IMMEDIATE + busy_timeout).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reliability_helpers import ELECTION, count_rows, expected_reference, sqlite_integrity, voter_rows, write_roster
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from turnout_desktop.db.audit import verify_chain
from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    SourceFile,
    Submission,
    SubmissionFile,
)
from turnout_desktop.db.session import transaction

WORKERS = 4
ITERATIONS = 10
ROWS_PER_FILE = 400
COUNTY = "LOVING"
WORKER_SCRIPT = Path(__file__).with_name("submit_worker.py")


def _uploads(folder: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Three uploads whose VUID ranges overlap (150-row shift) and whose counts all differ."""
    uploads = {}
    for index in range(3):
        voters = voter_rows(ROWS_PER_FILE, seed=80 + index, first_vuid=1151000000 + 150 * index)
        uploads[write_roster(folder / f"loving_v{index}.csv", voters).name] = voters
    return uploads


def test_concurrent_submits_for_one_county(db_url: str, db_engine: Engine, tmp_path: Path) -> None:
    uploads = _uploads(tmp_path)
    paths = [str(tmp_path / name) for name in uploads]
    children = [
        subprocess.Popen([sys.executable, str(WORKER_SCRIPT), db_url, COUNTY, ELECTION.isoformat(), str(ITERATIONS),
                          str(worker), *paths], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for worker in range(WORKERS)
    ]
    reports = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert "database is locked" not in err
        assert child.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    stored = sum(r["stored"] for r in reports)
    assert stored + sum(r["duplicate"] for r in reports) == WORKERS * ITERATIONS
    assert stored >= 1

    if db_engine.dialect.name == "sqlite":
        assert sqlite_integrity(Path(make_url(db_url).database or "")) == "ok"
    with transaction(db_engine) as session:
        doubled = session.execute(
            select(CountyRosterRow.submission_id, CountyRosterRow.source_file_id, CountyRosterRow.sheet,
                   CountyRosterRow.row_no)
            .group_by(CountyRosterRow.submission_id, CountyRosterRow.source_file_id, CountyRosterRow.sheet,
                      CountyRosterRow.row_no)
            .having(func.count() > 1)
        ).all()
        assert doubled == []
        submissions = session.execute(select(Submission).order_by(Submission.id)).scalars().all()
        assert len(submissions) == stored
        current = [s for s in submissions if s.superseded_at is None]
        assert len(current) == 1, f"{len(current)} current submissions for one county"
        rows_per_submission = dict(session.execute(
            select(CountyRosterRow.submission_id, func.count()).group_by(CountyRosterRow.submission_id)
        ).all())
        assert rows_per_submission == {s.id: ROWS_PER_FILE for s in submissions}
        current_file = session.execute(
            select(SourceFile.name).join(SubmissionFile, SubmissionFile.source_file_id == SourceFile.id)
            .where(SubmissionFile.submission_id == current[0].id)
        ).scalar_one()
        references = session.execute(select(CountyTurnoutReference)).scalars().all()
        assert {(r.party, r.voting_method): r.official_count for r in references} == \
            expected_reference(uploads[current_file])
        assert {r.submission_id for r in references} == {current[0].id}
        assert session.execute(select(func.count()).select_from(SourceFile)).scalar_one() == len(uploads)
        assert verify_chain(session) is None
    assert count_rows(db_engine, "audit_event", "event_type = 'submit' AND disposition = 'success'") == stored
    assert count_rows(db_engine, "audit_event", "disposition = 'failure'") == 0
