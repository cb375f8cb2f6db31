"""Submitting county uploads and importing statewide rosters (precinct maps: ``precinct_import``).

One transaction writes each source file (bytes and sha256 kept), its rows and the official counts;
the same file twice is a no-op; a newer upload for the same county and election supersedes the
counts of the parties it covers and keeps the history. Nothing is half-written: any error rolls
the whole submission back and records a failure in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from turnout_desktop.db import settings_store
from turnout_desktop.db.audit import record_event
from turnout_desktop.db.bulk import RowsWritten
from turnout_desktop.db.models import (
    CountyTurnoutReference,
    SourceFile,
    Submission,
    SubmissionFile,
    UploadCount,
    utcnow,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.permissions import Action
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Trigger
from turnout_desktop.engine import inputs
from turnout_desktop.engine.certification import refuse_if_certified
from turnout_desktop.engine.repository import lock_counties
from turnout_desktop.engine.types import CancelCheck, ProgressCallback
from turnout_desktop.errors import Cancelled, Certified, ImportRejected, TurnoutError
from turnout_desktop.ingest.interpret.model import (
    OfficialCount,
    ParsedFile,
    ParsedUpload,
    official_count_rows,
)
from turnout_desktop.ingest.readers import safety
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission_results import ReconcileRun, StatewideImport, SubmitResult
from turnout_desktop.services.upload_refusals import SubmissionBlocked, refusals_audited
from turnout_desktop.store.roster_store import latest_vote_dates, store_roster_rows
from turnout_desktop.store.statewide_loader import (
    StatewideFileImport,
    load_statewide_file,
    refresh_statewide_count_cache,
)

log = logging.getLogger(__name__)

def submit_files(ctx: AppContext, paths: list[Path], *, election: dt.date, county: str | None = None,
                 party: str | None = None, method: str | None = None, mapping: dict[str, str] | None = None,
                 reconcile: bool = True, progress: ProgressCallback | None = None,
                 cancel: CancelCheck | None = None, submission_uuid: str | None = None) -> SubmitResult:
    """Read, check and store one county upload; then reconcile each county it covers.

    ``submission_uuid`` (client-made, e.g. by the offline outbox) makes the store exactly-once: when a
    submission with that uuid is already on the server, nothing is written and the result is a duplicate
    carrying the existing submission ids. The first county (sorted) carries the uuid itself, further
    counties of a multi-county upload a uuid5 derived from it.
    """
    from turnout_desktop.services.precheck import precheck_upload

    ctx.require(Action.SUBMIT)
    file_names = ", ".join(path.name for path in paths)
    _report(progress, 0.05, f"Reading {file_names}")
    with transaction(ctx.engine) as session:
        json_max_mb = settings_store.json_envelope_max_mb(session)
    with refusals_audited(ctx, "submit", paths, election=election, county=county), safety.json_limit(json_max_mb):
        upload = precheck_upload(paths, county=county, election=election, party=party, method=method,
                                 mapping=mapping).upload
        if not upload.ready:
            raise SubmissionBlocked(upload)
        counties = upload.counties
        if not counties:
            raise ImportRejected("The upload holds no county counts", reason="empty",
                                 file=", ".join(p.name for p in paths))
    for name in counties:
        ctx.require_county(name)
    if cancel and cancel():
        raise Cancelled()
    total = len(upload.rows)
    _report(progress, 0.4, f"Storing {total:,} rows from {file_names}")

    def stored_rows(done: int) -> None:  # after each chunk the store writes (db/bulk.py)
        _report(progress, 0.4 + 0.2 * done / max(1, total), f"Storing {done:,} of {total:,} rows from {file_names}")
    try:
        with transaction(ctx.engine) as session:
            hints = _read_hints(county, party, method, mapping)
            submission_ids, duplicate = _store(session, ctx, upload, election, submission_uuid, hints=hints,
                                               rows_written=stored_rows if progress else None)
            _remember_read_hints(session, upload, election, hints)
    except Certified as exc:  # a certified county or election: the refusal is on the audit trail
        _audit_failure(ctx, "submit", f"Submit refused: {exc}", election, counties)
        raise
    except TurnoutError:
        raise
    except IntegrityError:
        # A concurrent push of the same client uuid won the race (UNIQUE submission.uuid): already stored.
        existing = _submissions_with_uuid(ctx, submission_uuid, upload) if submission_uuid else []
        if not existing:
            raise
        submission_ids, duplicate = existing, True
    except Exception as exc:
        _audit_failure(ctx, "submit", f"Submit failed: {type(exc).__name__}", election, counties)
        raise
    runs: list[ReconcileRun] = []
    if reconcile:
        from turnout_desktop.services import reconciliation

        # A repeat of a stored upload still finishes a reconciliation that a crash (or a cancel) left
        # undone between storing the upload and reconciling it; a county already reconciled is left alone.
        for index, name in enumerate(counties if not duplicate else unreconciled_counties(ctx, election, counties)):
            if cancel and cancel():
                raise Cancelled()
            _report(progress, 0.6 + 0.4 * index / len(counties), f"Reconciling {name}")
            runs.extend(reconciliation.reconcile(ctx, Scope(election, county=name), trigger=Trigger.COUNTY_UPLOAD,
                                                 cancel=cancel))
    _report(progress, 1.0, "Done")
    return SubmitResult(stored=not duplicate, duplicate=duplicate, submission_ids=tuple(submission_ids),
                        counties=tuple(counties), kind=upload.kind, rows=len(upload.rows),
                        counts=tuple(upload.counts), problems=tuple(upload.problems), reconcile=tuple(runs))


def unreconciled_counties(ctx: AppContext, election: dt.date, counties: Sequence[str]) -> list[str]:
    """The counties (of ``counties``) with a (county, party) not reconciled since its inputs changed."""
    with transaction(ctx.engine) as session:
        return [name for name in counties if inputs.stale_pairs(session, election, name)]


def _report(progress: ProgressCallback | None, fraction: float, text: str) -> None:
    if progress:
        progress(fraction, text)


def _submissions_with_uuid(ctx: AppContext, client_uuid: str, upload: ParsedUpload) -> list[int]:
    with transaction(ctx.engine) as session:
        return _submission_ids_for_uuid(session, client_uuid, upload)


def _submission_ids_for_uuid(session: Session, client_uuid: str, upload: ParsedUpload) -> list[int]:
    """Ids of the submissions one client uuid produced for this upload ([] when none is stored yet)."""
    counties = sorted({count.county for count in upload.counts})
    row_uuids = [submission_row_uuid(client_uuid, name, index) for index, name in enumerate(counties)]
    return sorted(session.execute(select(Submission.id).where(Submission.uuid.in_(row_uuids))).scalars())


def _store(session: Session, ctx: AppContext, upload: ParsedUpload, election: dt.date,
           submission_uuid: str | None = None, *, hints: dict | None = None,
           rows_written: RowsWritten | None = None) -> tuple[list[int], bool]:
    """Write the upload; returns (submission ids, True when it was an exact repeat of the current one)."""
    if submission_uuid:
        existing = _submission_ids_for_uuid(session, submission_uuid, upload)
        if existing:
            return existing, True
    shas = {f.sha256 for f in upload.files}
    counts_by_county: dict[str, list[OfficialCount]] = defaultdict(list)
    for count in upload.counts:
        counts_by_county[count.county].append(count)
    # Two offices submitting one county at once must not both supersede the same history or insert the
    # same source file (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises), docs/reliability.md T8.
    lock_counties(session, sorted(counts_by_county), election)
    refuse_if_certified(session, election, counts_by_county, f"{upload.kind} upload")  # after the lock: see it
    if all(_current_shas(session, name, election) == shas for name in counts_by_county):
        return [], True
    file_ids = {f.name: _source_file_id(session, f, upload.kind, election, ctx.user, hints) for f in upload.files}
    submission_ids: list[int] = []
    stored = 0
    for index, (county_name, counts) in enumerate(sorted(counts_by_county.items())):
        parties = {c.party for c in counts}
        submission = Submission(uuid=submission_row_uuid(submission_uuid, county_name, index), county=county_name,
                                election_date=election, kind=upload.kind, submitted_by=ctx.user,
                                problems=[p.to_json() for p in upload.problems],
                                latest_vote_dates=(latest_vote_dates(upload.rows, county_name)
                                                   if upload.kind == "roster" else None))
        session.add(submission)
        session.flush()
        _supersede_previous(session, county_name, election, parties, submission)
        session.add_all(SubmissionFile(submission_id=submission.id, source_file_id=i) for i in file_ids.values())
        store_roster_rows(session, upload.rows, county_name, election, submission.id, file_ids,
                          rows_written=_after(rows_written, stored))
        if rows_written and not upload.rows.empty:  # the running count covers every county of the upload
            stored += int((upload.rows["county"] == county_name).sum())
        _store_counts(session, counts, submission, ctx.user, ", ".join(sorted(file_ids)))
        files = ", ".join(sorted(file_ids))  # no ids in the reason: a rerun after a crash writes the same row
        inputs.bump(session, election, [county_name], f"a new {upload.kind} upload ({files})")
        record_event(session, "submit", f"{upload.kind} upload of {len(upload.rows)} rows stored",
                     user=ctx.user, role=ctx.role, county=county_name, election_date=election,
                     details={"submission_id": submission.id, "files": sorted(file_ids),
                              "sha256": sorted(shas)})
        submission_ids.append(submission.id)
    return submission_ids, False


def submission_row_uuid(client_uuid: str | None, county: str, index: int) -> str:
    """uuid of a submission row: the client uuid for the first county (sorted), uuid5 of it for the rest."""
    if not client_uuid:
        return str(uuid.uuid4())
    return client_uuid if index == 0 else str(uuid.uuid5(uuid.UUID(client_uuid), county))


def _read_hints(county: str | None, party: str | None, method: str | None,
                mapping: dict[str, str] | None) -> dict:
    """The read options given at submit, as kept in ``source_file.layout["hints"]``."""
    return {"county": county, "party": party, "method": method, "mapping": dict(mapping or {})}


def _remember_read_hints(session: Session, upload: ParsedUpload, election: dt.date, hints: dict) -> None:
    """Keep the read options given at submit in ``source_file.layout["hints"]`` (first submit wins).

    Strategy E re-parses the kept bytes; without these it would read a file that needed ``--party``
    or a column mapping differently from the way it was accepted. A file stored by this submit got them
    in its INSERT (``_source_file_id``): an UPDATE of its row would rewrite the whole upload in SQLite;
    only files kept by an earlier submit without hints are updated here.
    """
    shas = {f.sha256 for f in upload.files}
    for source in session.execute(select(SourceFile).where(
            SourceFile.election_date == election, SourceFile.kind == f"county_{upload.kind}",
            SourceFile.sha256.in_(shas))).scalars():
        if "hints" not in (source.layout or {}):
            source.layout = {**(source.layout or {}), "hints": hints}


def _current_shas(session: Session, county: str, election: dt.date) -> set[str]:
    rows = session.execute(
        select(SourceFile.sha256)
        .join(SubmissionFile, SubmissionFile.source_file_id == SourceFile.id)
        .join(Submission, Submission.id == SubmissionFile.submission_id)
        .where(Submission.county == county, Submission.election_date == election, Submission.superseded_at.is_(None))
    ).scalars()
    return set(rows)


def _source_file_id(session: Session, parsed: ParsedFile, kind: str, election: dt.date, user: str,
                    hints: dict | None = None) -> int:
    file_kind = f"county_{kind}"
    existing = session.execute(
        select(SourceFile.id).where(SourceFile.kind == file_kind, SourceFile.election_date == election,
                                    SourceFile.sha256 == parsed.sha256)
    ).scalar()
    if existing is not None:
        return existing
    layouts = [layout.to_json() for layout in parsed.layouts]
    source = SourceFile(kind=file_kind, name=parsed.name, sha256=parsed.sha256 or hashlib.sha256(parsed.content)
                        .hexdigest(), size_bytes=len(parsed.content), content=parsed.content,
                        election_date=election, parser=parsed.parser, encoding=parsed.encoding,
                        layout={"sheets": layouts, **({"hints": hints} if hints is not None else {})},
                        rows=sum(layout.rows_read for layout in parsed.layouts),
                        uploaded_by=user)
    session.add(source)
    session.flush()
    return source.id


def _supersede_previous(session: Session, county: str, election: dt.date, parties: set[str],
                        newer: Submission) -> None:
    """Older current submissions whose parties the new one covers are superseded (kept as history)."""
    previous = session.execute(
        select(Submission).where(Submission.county == county, Submission.election_date == election,
                                 Submission.superseded_at.is_(None), Submission.id != newer.id)
    ).scalars().all()
    for old in previous:
        old_parties = set(session.execute(
            select(UploadCount.party).where(UploadCount.submission_id == old.id)
        ).scalars())
        if old_parties <= parties:
            old.superseded_at = utcnow()
            old.superseded_by_id = newer.id


def _after(rows_written: RowsWritten | None, earlier: int) -> RowsWritten | None:
    """``rows_written`` counting on from the ``earlier`` rows of the upload's other counties."""
    return None if rows_written is None else lambda done: rows_written(earlier + done)


def _store_counts(session: Session, counts: list[OfficialCount], submission: Submission, user: str,
                  source_label: str) -> None:
    """History rows in upload_count; current rows (3 methods + TOTAL per party) in the reference table."""
    for (party, method), value in official_count_rows(counts, submission.county).items():
        session.add(UploadCount(submission_id=submission.id, party=party, voting_method=method,
                                official_count=value))
        reference = session.execute(
            select(CountyTurnoutReference).where(
                CountyTurnoutReference.county == submission.county,
                CountyTurnoutReference.election_date == submission.election_date,
                CountyTurnoutReference.party == party, CountyTurnoutReference.voting_method == method)
        ).scalar_one_or_none()
        if reference is None:
            reference = CountyTurnoutReference(county=submission.county,
                                               election_date=submission.election_date,
                                               party=party, voting_method=method, official_count=value)
            session.add(reference)
        reference.official_count = value
        reference.source = source_label[:255]
        reference.uploaded_at = utcnow()
        reference.uploaded_by = user
        reference.submission_id = submission.id
        reference.verified = False
    session.flush()


def _audit_failure(ctx: AppContext, event: str, message: str, election: dt.date | None,
                   counties: list[str]) -> None:
    try:
        with transaction(ctx.engine) as session:
            record_event(session, event, message, disposition="failure", user=ctx.user, role=ctx.role,
                         county=counties[0] if len(counties) == 1 else None, election_date=election)
    except Exception:  # the failure itself must still reach the caller
        log.exception("could not record the audit failure event")


def import_statewide(ctx: AppContext, paths: list[Path], *, election: dt.date, party: str | None = None,
                     in_person_method: str | None = None, progress: ProgressCallback | None = None,
                     cancel: CancelCheck | None = None, as_of: dt.datetime | None = None) -> StatewideImport:
    """Load statewide roster files, each in its own transaction, idempotently (same sha256 is skipped).

    ``as_of`` (``--as-of``) is every file's snapshot time; without it each file's own clue decides
    (statewide_loader.load_statewide_file).
    """
    ctx.require(Action.IMPORT_STATEWIDE)
    results: list[StatewideFileImport] = []
    for index, path in enumerate(paths):
        if cancel and cancel():
            raise Cancelled()
        _report(progress, index / max(1, len(paths)), f"Importing {path.name}")
        with refusals_audited(ctx, "import_statewide", [path], election=election), \
                transaction(ctx.engine) as session:
            result = load_statewide_file(session, path, election=election, party=party,
                                         in_person_method=in_person_method, user=ctx.user, as_of=as_of)
            if not result.skipped_file:  # an already imported file is a no-op: nothing is written at all
                refresh_statewide_count_cache(session, election)
                record_event(session, "import_statewide",
                             f"statewide file {path.name}: {result.inserted} new records",
                             user=ctx.user, role=ctx.role, election_date=election,
                             details={k: v for k, v in asdict(result).items() if k != "rows_skipped"})
        results.append(result)
    _report(progress, 1.0, "Done")
    return StatewideImport(files=tuple(results), rows_read=sum(r.rows_read for r in results),
                           inserted=sum(r.inserted for r in results),
                           duplicates_collapsed=sum(r.already_present for r in results),
                           skipped_files=tuple(r.file for r in results if r.skipped_file))
