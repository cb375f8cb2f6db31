"""Loading statewide roster files into ``turnout_record`` (used by import-statewide and strategy A).

A statewide record's identity is (election, source, VUID, voting method): re-importing a file adds
nothing, an exactly repeated row collapses into one, one VUID under two methods stays two records
(evidence for the duplicate diagnosis), and a record a fix removed or reassigned keeps that state
because existing identities are never touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from turnout_desktop.db import settings_store
from turnout_desktop.db.bulk import column_dates, column_values
from turnout_desktop.db.models import SourceFile, StatewideCountCache, TurnoutRecord, utcnow
from turnout_desktop.db.record_stage import RecordStage, StoredIdentities
from turnout_desktop.engine import inputs
from turnout_desktop.engine.certification import refuse_if_certified
from turnout_desktop.engine.types import ProgressCallback
from turnout_desktop.errors import ImportRejected
from turnout_desktop.files import file_sha256
from turnout_desktop.ingest.readers import safety

log = logging.getLogger(__name__)

KEEP_BYTES_LIMIT = 20 * 1024 * 1024  # statewide files above this are kept by sha256 and name only


@dataclass(frozen=True, slots=True)
class StatewideFileImport:
    """What importing one statewide file did; as it is, for a file already imported (``skipped_file``)."""

    file: str
    sha256: str
    skipped_file: bool
    rows_read: int
    inserted: int
    already_present: int  # rows whose record was stored already, or repeated within the file
    source_file_id: int | None


@dataclass(frozen=True, slots=True)
class StatewideFileLoaded(StatewideFileImport):
    """A statewide file read and stored: also the rows refused, its snapshot time and the records per county.

    A separate record (not optional fields) because a skipped file's JSON has none of these keys, while a
    loaded file's has them all, ``as_of`` and ``as_of_from`` being null when the snapshot time is unknown.
    """

    rows_skipped: dict[str, int]  # refusal code -> rows
    as_of: str | None  # ISO text
    as_of_from: str | None  # where as_of came from (ingest/interpret/statewide.py AS_OF_FROM_*)
    by_county: dict[str, int]  # county -> records added


def already_imported(session: Session, election: dt.date, sha256: str) -> bool:
    return session.execute(
        select(SourceFile.id).where(SourceFile.kind == "statewide", SourceFile.election_date == election,
                                    SourceFile.sha256 == sha256)
    ).first() is not None


def lock_statewide_imports(session: Session, election: dt.date) -> None:
    """Serialise statewide imports of one election until the caller's transaction ends (PostgreSQL).

    Two offices' strategy A runs (or an import and a run) reading the same new file would otherwise both
    find it "not imported yet" and the second would hit the unique key on (kind, election, sha256). The
    lock is transaction-scoped, so it also holds behind a transaction-pooling PgBouncer; the second
    importer then sees the first one's committed file and skips it as already imported.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"statewide|{election.isoformat()}".encode()).digest()[:8], "big",
                             signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def load_statewide_file(session: Session, path: Path, *, election: dt.date, party: str | None = None,
                        in_person_method: str | None = None, user: str | None = None,
                        progress: ProgressCallback | None = None,
                        as_of: dt.datetime | None = None) -> StatewideFileImport:
    """Import one statewide file inside the caller's transaction; skip it when already imported.

    ``source_file.as_of`` is ``as_of`` when given, else the file's own clue (ingest/interpret/statewide.py: an
    "as of" marker in its name, else the end of its latest vote date), else unknown (NULL).
    """
    sha256 = file_sha256(path)
    lock_statewide_imports(session, election)
    if already_imported(session, election, sha256):
        return StatewideFileImport(file=path.name, sha256=sha256, skipped_file=True, rows_read=0, inserted=0,
                                   already_present=0, source_file_id=None)
    with safety.json_limit(settings_store.json_envelope_max_mb(session)), _readable(path) as readable:
        return _load(session, path, readable, sha256, election=election, party=party,
                     in_person_method=in_person_method, user=user, progress=progress, as_of=as_of)


@contextlib.contextmanager
def _readable(path: Path) -> Iterator[Path]:
    """The file the statewide reader streams: ``path``, or the decoded payload of a Civix JSON envelope.

    The payload goes to a private temporary folder under the envelope's own name (``.csv``/``.zip``), so
    the clues in the name (EV/ED, party, as-of date) still count; the folder is removed afterwards.
    """
    from turnout_desktop.ingest.readers.json_reader import envelope_payload, looks_like_json

    with path.open("rb") as handle:
        head = handle.read(64)
    if looks_like_json(head):
        safety.check_json_size(path.stat().st_size, path.name)  # before the bytes are loaded
    payload = envelope_payload(path.read_bytes(), path.name) if looks_like_json(head) else None
    if payload is None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="turnout-envelope-") as folder:
        decoded = Path(folder) / f"{path.stem}{'.zip' if payload.startswith(b'PK') else '.csv'}"
        decoded.write_bytes(payload)
        yield decoded


def _load(session: Session, path: Path, readable: Path, sha256: str, *, election: dt.date, party: str | None,
          in_person_method: str | None, user: str | None, progress: ProgressCallback | None,
          as_of: dt.datetime | None) -> StatewideFileLoaded:
    from turnout_desktop.ingest.interpret.statewide import read_statewide

    statewide = read_statewide(readable, election=election, party=party, in_person_method=in_person_method,
                               as_of=as_of)
    size = path.stat().st_size
    source = SourceFile(
        kind="statewide", name=path.name, sha256=sha256, size_bytes=size,
        content=path.read_bytes() if size <= KEEP_BYTES_LIMIT else None,
        election_date=election, parser=statewide.parser, encoding=statewide.encoding,
        layout=statewide.layout, uploaded_by=user, as_of=statewide.as_of, status="loading",
    )
    session.add(source)
    session.flush()
    stage = RecordStage(session)
    stored = StoredIdentities(session, election)
    valid_rows = 0
    for chunk in statewide.chunks():
        valid_rows += len(chunk)
        vuids, methods = chunk["vuid"].tolist(), chunk["voting_method"].tolist()
        if len(stored) and (known := stored.stored(vuids, methods)).any():
            # Rows whose identity is stored already add nothing: only the new ones are staged.
            chunk = chunk[~known]
            vuids, methods = chunk["vuid"].tolist(), chunk["voting_method"].tolist()
        stage.add({"vuid": vuids, "county": chunk["county"].tolist(), "party": chunk["party"].tolist(),
                   "voting_method": methods, "precinct": _blank_as_none(chunk["precinct"]),
                   "district": _blank_as_none(chunk["district"]), "vote_date": column_dates(chunk["vote_date"])})
        if progress:
            progress(0.0, f"{path.name}: {valid_rows:,} rows")
    inserted = stage.insert_new_records(election=election, source_file_id=source.id, created=utcnow())
    if inserted == stage.rows:
        # Every staged row was added (no repeats in the file): the stage describes the added records, so
        # the record table is not read back through the file index (0.8 s at 1M rows, measured).
        vote_dates, by_county = stage.vote_date_range(), stage.by_county()
    else:  # the file repeats some identities: read back what was added
        vote_dates, by_county = added_vote_date_range(session, source.id), added_by_county(session, source.id)
    stage.drop()
    _refuse_another_elections_votes(vote_dates, election, path.name)
    # New records in a certified county (or election) are refused: the caller's transaction rolls back.
    refuse_if_certified(session, election, by_county, f"statewide import of {path.name}")
    inserted = sum(by_county.values())
    inputs.bump(session, election, {county: f"statewide import of {path.name} added {count} record(s)"
                                     for county, count in by_county.items()})
    source.rows = statewide.rows_read
    source.as_of = statewide.as_of  # the latest vote date is known only now that every chunk was read
    source.status = "complete"
    session.flush()
    return StatewideFileLoaded(
        file=path.name, sha256=sha256, skipped_file=False, rows_read=statewide.rows_read, inserted=inserted,
        already_present=valid_rows - inserted, source_file_id=source.id, rows_skipped=dict(statewide.skipped),
        as_of=statewide.as_of.isoformat() if statewide.as_of else None, as_of_from=statewide.as_of_source,
        by_county=by_county)


VOTING_WINDOW_DAYS = 120  # early voting and mail ballots start well within this before election day


def _refuse_another_elections_votes(vote_dates: tuple[Any, Any], election: dt.date, name: str) -> None:
    """Refuse a file whose added records' vote dates belong to another election (the transaction rolls back)."""
    low, high = vote_dates
    if high is None:
        return  # no vote dates (SOS files often have none): nothing to tell
    low, high = _as_date(low), _as_date(high)
    if high > election + dt.timedelta(days=1) or high < election - dt.timedelta(days=VOTING_WINDOW_DAYS):
        raise ImportRejected(f"{name}: its votes are dated {low.isoformat()} to {high.isoformat()}, which is not "
                             f"the election of {election.isoformat()}", reason="other_election", file=name)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def added_vote_date_range(session: Session, source_file_id: int) -> tuple[Any, Any]:
    """The earliest and latest vote date of the records one loaded file added."""
    low, high = session.execute(select(func.min(TurnoutRecord.vote_date), func.max(TurnoutRecord.vote_date))
                                .where(TurnoutRecord.source_file_id == source_file_id)).one()
    return low, high


def added_by_county(session: Session, source_file_id: int) -> dict[str, int]:
    """How many records one loaded file added to each county (one GROUP BY on the file's index)."""
    rows = session.execute(select(TurnoutRecord.county, func.count()).where(
        TurnoutRecord.source_file_id == source_file_id).group_by(TurnoutRecord.county))
    return {county: int(count) for county, count in rows}


def refresh_statewide_count_cache(session: Session, election: dt.date) -> None:
    """Recompute the offline cache of statewide counts per county, party and method."""
    session.execute(delete(StatewideCountCache).where(StatewideCountCache.election_date == election))
    as_of = session.execute(
        select(func.max(SourceFile.as_of)).where(SourceFile.kind == "statewide", SourceFile.election_date == election)
    ).scalar()
    grouped = session.execute(
        select(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method, func.count())
        .where(TurnoutRecord.election_date == election, TurnoutRecord.source == "statewide",
               TurnoutRecord.removed_at.is_(None))
        .group_by(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method)
    ).all()
    session.add_all(
        StatewideCountCache(county=c, election_date=election, party=p, voting_method=m, count=n, as_of=as_of)
        for c, p, m, n in grouped
    )
    session.flush()


def _blank_as_none(series: pd.Series) -> list[str | None]:
    return [None if value == "" else value for value in column_values(series)]
