"""Database state builders for the strategy tests and the engine's undo tests (real models, real databases, no
mocks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    Fix,
    FixAction,
    PrecinctDistrict,
    SourceFile,
    Submission,
    SubmissionFile,
    TurnoutRecord,
)
from turnout_desktop.engine.fixes import FixRecorder
from turnout_desktop.engine.types import Diagnosis, StrategyContext

ELECTION = dt.date(2026, 3, 3)
SNAPSHOT_TABLES = (TurnoutRecord, CountyRosterRow, CountyTurnoutReference)


def source_file(session: Session, name: str, kind: str = "county_roster", content: bytes | None = None) -> SourceFile:
    data = content if content is not None else name.encode()
    row = SourceFile(kind=kind, name=name, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data),
                     content=content, election_date=ELECTION, parser="csv", encoding="utf-8")
    session.add(row)
    session.flush()
    return row


def roster(session: Session, county: str, rows: list[tuple[str, str, str | None]], *, party: str = "DEM",
           kind: str = "roster") -> Submission:
    """A current roster submission of ``county`` with (vuid, method, precinct) rows."""
    submission = Submission(uuid=str(uuid.uuid4()), county=county, election_date=ELECTION, kind=kind,
                            submitted_by="clerk")
    session.add(submission)
    session.flush()
    file = source_file(session, f"{county}-{submission.id}.csv")
    session.add(SubmissionFile(submission_id=submission.id, source_file_id=file.id))
    for number, (vuid, method, precinct) in enumerate(rows, start=2):
        session.add(CountyRosterRow(submission_id=submission.id, source_file_id=file.id, sheet="", row_no=number,
                                    election_date=ELECTION, county=county, party=party, voting_method=method,
                                    vuid=vuid, vuid_raw=vuid, precinct=precinct,
                                    vote_date=dt.date(2026, 2, 20)))
    session.flush()
    return submission


def record(session: Session, vuid: str, county: str, method: str = "early-voting", *, source: str = "statewide",
           party: str = "DEM", precinct: str | None = None, district: str | None = None,
           fallback: bool = False) -> TurnoutRecord:
    row = TurnoutRecord(election_date=ELECTION, vuid=vuid, county=county, party=party, voting_method=method,
                        precinct=precinct, district=district, source=source,
                        verification="verified" if source == "statewide" else "pending", county_fallback=fallback)
    session.add(row)
    session.flush()
    return row


def precinct(session: Session, county: str, code: str, district: str) -> None:
    session.add(PrecinctDistrict(county=county, precinct=code, district=district))
    session.flush()


def context(session: Session, county: str, codes: list[str], *, party: str = "DEM", dry_run: bool = False,
            statewide_source: str | None = None, upload_kind: str = "roster",
            may_change_statewide: bool = True) -> StrategyContext:
    diagnosis = Diagnosis(county=county, election_date=ELECTION, party=party, expected_total=0, actual_total=0,
                          by_method={}, accuracy=Decimal(0), codes=codes, upload_kind=upload_kind,
                          has_statewide_source=statewide_source is not None)
    recorder = FixRecorder(session, election_date=ELECTION, county=county, party=party, log_id=None,
                           user="tester", dry_run=dry_run)
    return StrategyContext(session=session, election_date=ELECTION, county=county, party=party, diagnosis=diagnosis,
                           fixes=recorder, statewide_source=statewide_source, dry_run=dry_run, user="tester",
                           may_change_statewide=may_change_statewide)


def table_snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the data tables (all columns but bytes), sorted by id."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    with Session(engine) as session:
        for model in SNAPSHOT_TABLES:
            columns = [c for c in model.__table__.columns if c.key != "content"]
            rows = session.execute(select(*columns).order_by(model.__table__.c.id)).all()
            result[model.__tablename__] = [tuple(r) for r in rows]
    return result


def active_set(engine: Engine) -> list[tuple[Any, ...]]:
    """(id, vuid, county, party, method, district, fallback) of every active record."""
    with Session(engine) as session:
        rows = session.execute(
            select(TurnoutRecord.id, TurnoutRecord.vuid, TurnoutRecord.county, TurnoutRecord.party,
                   TurnoutRecord.voting_method, TurnoutRecord.district, TurnoutRecord.county_fallback)
            .where(TurnoutRecord.removed_at.is_(None)).order_by(TurnoutRecord.id)).all()
    return [tuple(r) for r in rows]


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def fix_counts(engine: Engine) -> tuple[int, int]:
    return count(engine, Fix), count(engine, FixAction)
