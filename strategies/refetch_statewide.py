"""Strategy A: re-read the configured statewide source and import what is new, idempotently.

The source is a folder of ``.csv`` / ``.zip`` / ``.txt`` files, one file, or an https URL fetched into the
local cache with a conditional GET (``store.statewide_source.resolve_statewide_files``). A source that
cannot be read (HTTP error, timeout, TLS failure, size cap, HTML page, missing folder) gives a result with
``source_unavailable`` set and the cause as its message: the loop records outcome ``source_unavailable``,
never "no change". Each file goes through the
same loader as ``import-statewide`` (``store.statewide_loader.load_statewide_file``): a file
already imported for the election (same sha256) is skipped, and existing record identities
(election, source, VUID, method) are never touched, so a record a fix removed or reassigned keeps
that state. The records a file added are stamped ``created_by_fix`` and recorded as ``insert``
actions, and the ``source_file`` row too, so undo tombstones them and marks the file ``undone``.
Re-fetching a file whose import was undone revives its records (recorded as ``update``).

A dry run runs the same import inside a SAVEPOINT that is rolled back: the preview is exact and
nothing is written to the database (a URL is still fetched into the cache; the cached file is imported
by the next real run even when the server then answers 304).

``execute_many`` serves an election-night round of many counties (``engine/bulk_round.py``): the source
is read and its files hashed once. When every file is already imported (the scheduled check imported it
before reconciling), each county gets the same "nothing new" result a run of its own would get; when
there is something to import, it returns None and the per-county loop imports it once (the counties it
lands on are re-reconciled as side effects).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from turnout_desktop.db.models import SourceFile, TurnoutRecord
from turnout_desktop.engine.fixes import SOURCE_FILE_UNDONE, is_undo_tombstone, snapshot
from turnout_desktop.engine.repository import newest_election
from turnout_desktop.engine.types import (
    MISSING_VUIDS,
    STATEWIDE_LEFT_TO_CHECK,
    TIMING,
    Diagnosis,
    StrategyContext,
    StrategyResult,
)
from turnout_desktop.errors import ImportRejected, SourceUnavailable
from turnout_desktop.store.statewide_source import resolve_statewide_files
from turnout_desktop.strategies._common import RECORD_TABLE, REMOVAL_FIELDS, open_fix, result

if TYPE_CHECKING:  # the loader reads files with pandas: imported when a file is loaded
    from turnout_desktop.store.statewide_loader import StatewideFileImport


class RefetchStatewide:
    """A: pull new statewide data from the configured source (the authoritative source first)."""

    name = "refetch_statewide"
    letter = "A"
    label = "Re-fetch statewide data"
    handles: tuple[str, ...] = (MISSING_VUIDS, TIMING)
    priority = 10
    escalates = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        return diagnosis.has_statewide_source

    def execute(self, context: StrategyContext) -> StrategyResult:
        if not context.statewide_source:
            return result(context, "No statewide source is configured")
        if not context.may_change_statewide:
            # A clerk may not load statewide data (it is the independent source its own counts are checked
            # against); the scheduled check under the service login imports new files and re-runs the county.
            return result(context, f"{STATEWIDE_LEFT_TO_CHECK}: this login may not import statewide data")
        fed = newest_election(context.session)
        if fed is not None and fed != context.election_date:
            # One source, one feed: the newest election's. Importing it into an older election would
            # count another election's voters there.
            return result(context, f"The statewide source feeds the {fed.isoformat()} election, not this one")
        try:
            fetched = resolve_statewide_files(context.statewide_source)
        except SourceUnavailable as exc:
            return StrategyResult(applied=False, message=f"Statewide source unavailable: {exc}",
                                  source_unavailable=True)
        files = fetched.files
        if not files:
            return result(context, f"The statewide source {context.statewide_source} holds no csv/zip/txt file")
        note = " (the server reports no change since the last download)" if fetched.not_modified else ""
        if context.dry_run:
            savepoint = context.session.begin_nested()
            try:
                return self._import(context, files, note)
            finally:
                savepoint.rollback()
        return self._import(context, files, note)

    def execute_many(self, contexts: Sequence[StrategyContext]) -> list[StrategyResult | None] | None:
        """One read of the source for many counties; None when a file is new (import it one county at a time)."""
        from turnout_desktop.files import file_sha256
        from turnout_desktop.store.statewide_loader import already_imported

        first = contexts[0]
        if first.dry_run:
            return None
        fed = newest_election(first.session) if first.statewide_source and first.may_change_statewide else None
        if not first.statewide_source or not first.may_change_statewide or (
                fed is not None and fed != first.election_date):
            return [self.execute(context) for context in contexts]  # a message each; nothing read or written
        try:
            fetched = resolve_statewide_files(first.statewide_source)
        except SourceUnavailable as exc:
            return [StrategyResult(applied=False, message=f"Statewide source unavailable: {exc}",
                                   source_unavailable=True) for _context in contexts]
        files = fetched.files
        if not files:
            return [result(context, f"The statewide source {first.statewide_source} holds no csv/zip/txt file")
                    for context in contexts]
        for path in files:
            sha256 = file_sha256(path)
            if (self._undone_source(first, sha256) is not None
                    or not already_imported(first.session, first.election_date, sha256)):
                return None
        note = " (the server reports no change since the last download)" if fetched.not_modified else ""
        return [result(context, _import_message(files, note, skipped_files=len(files))) for context in contexts]

    def _import(self, context: StrategyContext, files: list[Path], note: str = "") -> StrategyResult:
        from turnout_desktop.files import file_sha256
        from turnout_desktop.store.statewide_loader import load_statewide_file, refresh_statewide_count_cache

        summary = f"Re-fetch statewide data from {context.statewide_source}"
        inserted = revived = skipped_files = 0
        notes: list[str] = []
        for path in files:
            undone = self._undone_source(context, file_sha256(path))
            if undone is not None:
                revived += self._revive_file(context, undone, summary)
                continue
            savepoint = context.session.begin_nested()  # a refused file leaves nothing behind
            try:
                outcome = load_statewide_file(context.session, path, election=context.election_date,
                                              user=context.user)
            except ImportRejected as exc:  # not a statewide file of this election: say so, try the next one
                savepoint.rollback()
                notes.append(f"{path.name} refused: {exc}")
                continue
            savepoint.commit()
            if outcome.skipped_file:
                skipped_files += 1
                continue
            inserted += self._record_file(context, outcome, summary)
            notes.append(f"{path.name}: {outcome.inserted} new of {outcome.rows_read} rows")
        if (inserted or revived) and not context.dry_run:
            refresh_statewide_count_cache(context.session, context.election_date)
        message = _import_message(files, note, inserted=inserted, revived=revived, skipped_files=skipped_files,
                                  notes=notes)
        return result(context, message, inserted=inserted, updated=revived)

    @staticmethod
    def _undone_source(context: StrategyContext, sha256: str) -> SourceFile | None:
        """The statewide source_file of this content whose import a fix undo reverted, if any."""
        return context.session.execute(
            select(SourceFile).where(SourceFile.kind == "statewide", SourceFile.election_date == context.election_date,
                                     SourceFile.sha256 == sha256, SourceFile.status == SOURCE_FILE_UNDONE)
        ).scalar_one_or_none()

    def _record_file(self, context: StrategyContext, outcome: StatewideFileImport, summary: str) -> int:
        """Stamp and record the records one loaded file added, and the file itself."""
        source_id = outcome.source_file_id
        new_ids = set(context.session.execute(
            select(TurnoutRecord.id).where(TurnoutRecord.source_file_id == source_id,
                                           TurnoutRecord.created_by_fix.is_(None))).scalars())
        source = context.session.get(SourceFile, source_id)
        if source is None:
            return 0
        open_fix(context, self.name, summary)
        fix_id = getattr(context.fixes, "fix_id", None) or None
        context.fixes.inserted("source_file", source.id, None, snapshot(source))
        if fix_id is not None:
            context.session.execute(
                update(TurnoutRecord)
                .where(TurnoutRecord.source_file_id == source_id, TurnoutRecord.created_by_fix.is_(None))
                .values(created_by_fix=fix_id).execution_options(synchronize_session=False))
        records = context.session.execute(
            select(TurnoutRecord).where(TurnoutRecord.source_file_id == source_id).order_by(TurnoutRecord.id))
        for record in records.scalars():
            if record.id in new_ids:
                context.fixes.inserted(RECORD_TABLE, record.id, record.vuid, snapshot(record))
        return len(new_ids)

    def _revive_file(self, context: StrategyContext, source: SourceFile, summary: str) -> int:
        """Bring back the records of a file whose import was undone (its tombstones), recorded as updates.

        Returns:
            Rows changed: the revived records plus the source_file row.
        """
        open_fix(context, self.name, summary)
        context.fixes.updated("source_file", source.id, None, {"status": source.status}, {"status": "complete"})
        if not context.dry_run:
            source.status = "complete"
        revived = 0
        records = context.session.execute(
            select(TurnoutRecord).where(TurnoutRecord.source_file_id == source.id).order_by(TurnoutRecord.id))
        for record in records.scalars():
            if not is_undo_tombstone(record):
                continue
            context.fixes.updated(RECORD_TABLE, record.id, record.vuid, snapshot(record, REMOVAL_FIELDS),
                                  {"removed_at": None, "removed_by_fix": None})
            if not context.dry_run:
                record.removed_at = None
                record.removed_by_fix = None
            revived += 1
        return revived + 1  # the source_file row changed too


def _import_message(files: Sequence[Path], note: str, *, inserted: int = 0, revived: int = 0, skipped_files: int = 0,
                    notes: Sequence[str] = ()) -> str:
    """What one re-fetch did, in the attempt's message."""
    message = f"Re-fetched {len(files)} statewide file(s){note}: {inserted} new record(s)"
    if revived:
        message += f", {revived} row(s) revived"
    if skipped_files:
        message += f", {skipped_files} file(s) already imported"
    if notes:
        message += " [" + "; ".join(notes) + "]"
    return message
