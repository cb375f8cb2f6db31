"""Row builders for the engine tests: real rows inserted through the models, no mocks."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    PrecinctDistrict,
    SourceFile,
    Submission,
    SubmissionFile,
    TurnoutRecord,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.engine.loop import LoopTarget
from turnout_desktop.engine.types import FixRecorderProtocol

ELECTION = dt.date(2026, 3, 3)
EV, ED, MAIL = "early-voting", "election-day", "mail-in"


def vuid(n: int) -> str:
    return f"{1_000_000_000 + n:010d}"


def add_reference(engine: Engine, county: str, party: str, counts: dict[str, int], *,
                  total: int | None = None, election: dt.date = ELECTION) -> None:
    """Official counts per method plus the TOTAL row (the sum unless given)."""
    with transaction(engine) as session:
        for method, count in {**counts, "TOTAL": sum(counts.values()) if total is None else total}.items():
            session.add(CountyTurnoutReference(county=county, election_date=election, party=party,
                                               voting_method=method, official_count=count))


def add_records(engine: Engine, rows: Iterable[tuple[str, str, str, str]], *, source: str = "statewide",
                election: dt.date = ELECTION, **extra: Any) -> list[int]:
    """Records as (vuid, county, party, method); returns their ids."""
    with transaction(engine) as session:
        records = [TurnoutRecord(election_date=election, vuid=v, county=c, party=p, voting_method=m, source=source,
                                 verification="verified" if source == "statewide" else "pending", **extra)
                   for v, c, p, m in rows]
        session.add_all(records)
        session.flush()
        return [r.id for r in records]


def add_roster(engine: Engine, county: str, rows: Iterable[tuple[str | None, str, str]], *,
               kind: str = "roster", problems: list[dict[str, Any]] | None = None,
               vote_date: dt.date | None = None, submitted_at: dt.datetime | None = None,
               problem_codes: dict[int, str] | None = None, election: dt.date = ELECTION) -> int:
    """A current county submission with roster rows (vuid, party, method); returns the submission id."""
    with transaction(engine) as session:
        file = SourceFile(kind=f"county_{kind}", name=f"{county.lower()}_roster.csv", sha256=uuid.uuid4().hex * 2,
                          size_bytes=1, election_date=election)
        submission = Submission(uuid=str(uuid.uuid4()), county=county, election_date=election, kind=kind,
                                submitted_by="clerk", problems=problems or [],
                                **({"submitted_at": submitted_at} if submitted_at else {}))
        session.add_all([file, submission])
        session.flush()
        session.add(SubmissionFile(submission_id=submission.id, source_file_id=file.id))
        for index, (v, party, method) in enumerate(rows):
            session.add(CountyRosterRow(
                submission_id=submission.id, source_file_id=file.id, row_no=index + 2, election_date=election,
                county=county, party=party, voting_method=method, vuid=v, vuid_raw=v or "", precinct="0101",
                vote_date=vote_date, problem_code=(problem_codes or {}).get(index)))
        return submission.id


def add_statewide_file(engine: Engine, as_of: dt.datetime, election: dt.date = ELECTION) -> None:
    with transaction(engine) as session:
        session.add(SourceFile(kind="statewide", name="statewide.csv", sha256=uuid.uuid4().hex * 2, size_bytes=1,
                               election_date=election, as_of=as_of))


def add_precinct(engine: Engine, county: str, precinct: str, district: str) -> None:
    with transaction(engine) as session:
        session.add(PrecinctDistrict(county=county, precinct=precinct, district=district))


def recorder_factory(session: Session, target: LoopTarget, log_id: int | None, dry_run: bool) -> FixRecorderProtocol:
    """The real fix recorder (engine/fixes.py), as the service builds it."""
    from turnout_desktop.engine.fixes import FixRecorder

    return FixRecorder(session, election_date=target.election_date, county=target.county, party=target.party,
                       log_id=log_id, user="test", dry_run=dry_run)
