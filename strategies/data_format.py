"""Strategy E: re-parse the kept upload bytes and re-derive what the first parse got wrong.

For each current submission of the county whose files are kept in ``source_file.content``, every
file is read again: the way it was first read (the baseline), by auto-detection, and with each
alternative ``ingest.readers.registry.alternative_parsers`` proposes. The best reading per file wins (fewest
blocking problems, then fewest rows without a usable VUID; ties keep the earlier candidate, so an
equally good baseline is never replaced). The submission's files are then interpreted together
with the read hints given at submit (``source_file.layout["hints"]``: county, party, method,
mapping), and the result is compared with what is stored:

- a stored roster row whose values differ is updated; a row the re-parse finds but the store lacks
  is inserted; a stored row the re-parse no longer finds gets ``vuid = None`` and the problem code
  ``not_in_reparse`` (never a delete);
- the county's official counts (three methods + TOTAL per party, as the submit writes them) are
  updated, or inserted when missing;
- the file's recorded parser/encoding follow the reading taken, when the data changed.

Each change is one ``fix_action`` (``update`` with before/after, ``insert`` for new rows) so undo
restores the first parse exactly. A re-parse that yields the stored data changes nothing. Statewide
records (``turnout_record``) are never read or written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select

from turnout_desktop.db.bulk import as_date
from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    SourceFile,
    Submission,
    SubmissionFile,
    utcnow,
)
from turnout_desktop.engine.fixes import apply_snapshot, snapshot, to_json_value
from turnout_desktop.engine.types import DATA_FORMAT, Diagnosis, StrategyContext, StrategyResult
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.interpret.county_upload import upload_from_workbooks
from turnout_desktop.ingest.interpret.model import ParsedUpload, official_count_rows, source_file_for_row
from turnout_desktop.ingest.readers.raw import RawWorkbook
from turnout_desktop.ingest.readers.registry import alternative_parsers, read_raw
from turnout_desktop.strategies._common import chunked, open_fix, result

ROSTER_TABLE = "county_roster_row"
REFERENCE_TABLE = "county_turnout_reference"
SOURCE_TABLE = "source_file"
ROSTER_FIELDS = ["party", "voting_method", "vuid", "vuid_raw", "precinct", "vote_date", "problem_code"]
NOT_IN_REPARSE = "not_in_reparse"
RowKey = tuple[int, str, int]  # (source_file_id, sheet, row_no): a row's position in the kept bytes


@dataclass(slots=True)
class Reading:
    """One way of reading one kept file, and how good the result is (lower score is better)."""

    options: dict[str, str]
    workbooks: list[RawWorkbook]
    score: tuple[int, int]


def score_of(upload: ParsedUpload) -> tuple[int, int]:
    """Lower is better: blocking problems, then rows that carry no usable VUID."""
    blocking = sum(1 for problem in upload.problems if problem.blocking)
    rows = upload.rows
    unusable = int(rows["vuid"].isna().sum()) if len(rows) and "vuid" in rows else 0
    return blocking, unusable


def read_hints(source: SourceFile, county: str) -> dict[str, Any]:
    """The read options given at submit (``layout["hints"]``); the county alone for older files."""
    stored = (source.layout or {}).get("hints")
    if not isinstance(stored, dict):
        return {"county": county, "party": None, "method": None, "mapping": None}
    return {"county": stored.get("county"), "party": stored.get("party"), "method": stored.get("method"),
            "mapping": stored.get("mapping") or None}


def first_options(source: SourceFile) -> dict[str, str]:
    """How the file was read the first time (text files: the encoding; workbooks: the parser)."""
    if source.parser in (None, "csv"):
        return {"encoding": source.encoding} if source.encoding else {}
    return {"parser": source.parser}


def best_reading(source: SourceFile, hints: dict[str, Any], election: dt.date) -> Reading | None:
    """The best way to read one kept file: baseline, auto-detection, then the alternatives (None: unreadable)."""
    content, name = source.content or b"", source.name
    candidates: list[dict[str, str]] = [first_options(source), {}]
    best: Reading | None = None
    seen: set[tuple[Any, ...]] = set()
    index = 0
    while index < len(candidates):
        options = candidates[index]
        index += 1
        try:
            workbooks = read_raw(content, name, **options)
        except ImportRejected:
            continue
        if not workbooks:
            continue
        if not options:  # auto-detection decides which alternatives are worth a try
            candidates.extend(alternative_parsers(workbooks[0]))
        identity = tuple((w.file_name, w.parser, w.encoding) for w in workbooks)
        if identity in seen:
            continue
        seen.add(identity)
        try:
            upload = upload_from_workbooks(workbooks, election=election, **hints)
        except ImportRejected:
            continue
        reading = Reading(options, workbooks, score_of(upload))
        if best is None or reading.score < best.score:
            best = reading
        if best.score == (0, 0):
            break  # nothing can be strictly better: spare the other parsers (large files)
    return best


class DataFormat:
    """E: re-read the kept upload bytes and restore the rows and official counts a wrong parse stored."""

    name = "data_format"
    letter = "E"
    label = "Re-read the upload (data format)"
    handles: tuple[str, ...] = (DATA_FORMAT,)
    priority = 50
    escalates = False

    def applies(self, diagnosis: Diagnosis) -> bool:
        return DATA_FORMAT in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        inserted = updated = 0
        notes: list[str] = []
        for submission, sources in self._kept_submissions(context):
            names = ", ".join(source.name for source in sources)
            hints = read_hints(sources[0], submission.county)
            found = {source.id: best_reading(source, hints, context.election_date) for source in sources}
            readings = {source_id: reading for source_id, reading in found.items() if reading is not None}
            if len(readings) < len(found):
                notes.append(f"{names}: no reading of the kept bytes is usable")
                continue
            workbooks = [w for source in sources for w in readings[source.id].workbooks]
            try:
                upload = upload_from_workbooks(workbooks, election=context.election_date, **hints)
            except ImportRejected as error:
                notes.append(f"{names}: re-parse refused ({error.reason})")
                continue
            if not upload.ready:
                notes.append(f"{names}: the re-parse has blocking problems; nothing taken from it")
                continue
            summary = f"Re-parse {names} of submission {submission.id}"
            rows_inserted, rows_updated = self._sync_roster_rows(context, submission, sources, upload, summary)
            refs_inserted, refs_updated = self._sync_counts(context, submission, upload, summary)
            changed = rows_inserted + rows_updated + refs_inserted + refs_updated
            if changed:
                source_updates = sum(self._sync_source(context, source, readings[source.id], summary)
                                     for source in sources)
                notes.append(f"{names}: read as {self._describe(readings)}; {rows_inserted + rows_updated} roster "
                             f"row(s) and {refs_inserted + refs_updated} official count(s) corrected")
                inserted += rows_inserted + refs_inserted
                updated += rows_updated + refs_updated + source_updates
        message = "Re-parsed the kept upload: " + ("; ".join(notes) if notes else "it matches what is stored")
        return result(context, message, inserted=inserted, updated=updated)

    @staticmethod
    def _describe(readings: dict[int, Reading]) -> str:
        taken = {(w.parser, w.encoding) for reading in readings.values() for w in reading.workbooks}
        return ", ".join(f"{parser}/{encoding}" if encoding else parser for parser, encoding in sorted(
            taken, key=lambda pair: (pair[0], pair[1] or "")))

    @staticmethod
    def _kept_submissions(context: StrategyContext) -> list[tuple[Submission, list[SourceFile]]]:
        """Current submissions of the county with the kept files of each (files in id order)."""
        rows = context.session.execute(
            select(Submission, SourceFile)
            .join(SubmissionFile, SubmissionFile.submission_id == Submission.id)
            .join(SourceFile, SourceFile.id == SubmissionFile.source_file_id)
            .where(Submission.county == context.county, Submission.election_date == context.election_date,
                   Submission.superseded_at.is_(None), SourceFile.content.is_not(None))
            .order_by(Submission.id, SourceFile.id))
        grouped: dict[int, tuple[Submission, list[SourceFile]]] = {}
        for submission, source in rows:
            grouped.setdefault(submission.id, (submission, []))[1].append(source)
        return list(grouped.values())

    @staticmethod
    def _sync_roster_rows(context: StrategyContext, submission: Submission, sources: list[SourceFile],
                          upload: ParsedUpload, summary: str) -> tuple[int, int]:
        """Make the stored roster rows of the submission what the re-parse reads; returns (inserted, updated)."""
        parsed = _parsed_rows(upload, submission.county, sources)
        # Plain tuples, not ORM objects: a county roster can hold a million rows and most never change.
        columns = [getattr(CountyRosterRow, name) for name in ROSTER_FIELDS]
        stored: dict[RowKey, tuple[int, dict[str, Any]]] = {}
        for row_id, source_id, sheet, row_no, *values in context.session.execute(
                select(CountyRosterRow.id, CountyRosterRow.source_file_id, CountyRosterRow.sheet,
                       CountyRosterRow.row_no, *columns)
                .where(CountyRosterRow.submission_id == submission.id).order_by(CountyRosterRow.id)):
            before = {name: to_json_value(value) for name, value in zip(ROSTER_FIELDS, values, strict=True)}
            stored[(source_id, sheet or "", row_no)] = (row_id, before)
        changes: dict[int, dict[str, Any]] = {}
        for key, (row_id, before) in stored.items():
            after = parsed.get(key)
            if after is None:
                after = {**before, "vuid": None, "problem_code": NOT_IN_REPARSE}
            if after == before:
                continue
            open_fix(context, DataFormat.name, summary)
            context.fixes.updated(ROSTER_TABLE, row_id, after["vuid"] or before["vuid"], before, after)
            changes[row_id] = after
        if changes and not context.dry_run:
            for batch in chunked(sorted(changes)):
                for row in context.session.execute(
                        select(CountyRosterRow).where(CountyRosterRow.id.in_(batch))).scalars():
                    apply_snapshot(row, changes[row.id])
        new_rows: list[CountyRosterRow] = []
        for (source_id, sheet, row_no), parsed_values in parsed.items():
            if (source_id, sheet, row_no) in stored:
                continue
            open_fix(context, DataFormat.name, summary)
            new_row = CountyRosterRow(submission_id=submission.id, source_file_id=source_id, sheet=sheet,
                                      row_no=row_no, election_date=context.election_date, county=submission.county)
            apply_snapshot(new_row, parsed_values)
            new_rows.append(new_row)
        if new_rows and not context.dry_run:
            context.session.add_all(new_rows)
            context.session.flush()  # one flush for all: ids for the fix actions
        for new_row in new_rows:
            context.fixes.inserted(ROSTER_TABLE, new_row.id or 0, new_row.vuid, snapshot(new_row))
        return len(new_rows), len(changes)

    @staticmethod
    def _sync_counts(context: StrategyContext, submission: Submission, upload: ParsedUpload,
                     summary: str) -> tuple[int, int]:
        """Re-derive the official counts the submission owns; returns (inserted, updated) reference rows."""
        derived = official_count_rows(upload.counts, submission.county)
        existing = {(r.party, r.voting_method): r for r in context.session.execute(
            select(CountyTurnoutReference).where(CountyTurnoutReference.county == submission.county,
                                                 CountyTurnoutReference.election_date == context.election_date)
        ).scalars()}
        inserted = updated = 0
        for (party, method), count in derived.items():  # parties sorted; methods, then TOTAL
            reference = existing.get((party, method))
            if reference is None:
                open_fix(context, DataFormat.name, summary)
                new_row = CountyTurnoutReference(
                    county=submission.county, election_date=context.election_date, party=party,
                    voting_method=method, official_count=count, source="re-parse", uploaded_at=utcnow(),
                    uploaded_by=context.user, submission_id=submission.id, verified=False)
                if context.dry_run:
                    context.fixes.inserted(REFERENCE_TABLE, 0, None, snapshot(new_row))
                else:
                    context.session.add(new_row)
                    context.session.flush()
                    context.fixes.inserted(REFERENCE_TABLE, new_row.id, None, snapshot(new_row))
                inserted += 1
            elif reference.submission_id == submission.id and reference.official_count != count:
                open_fix(context, DataFormat.name, summary)  # a newer submission's counts are not ours to change
                context.fixes.updated(REFERENCE_TABLE, reference.id, None,
                                      {"official_count": reference.official_count}, {"official_count": count})
                if not context.dry_run:
                    reference.official_count = count
                updated += 1
        return inserted, updated

    @staticmethod
    def _sync_source(context: StrategyContext, source: SourceFile, reading: Reading, summary: str) -> int:
        """Record the reading taken as the file's parser/encoding (1 when that changed)."""
        first = reading.workbooks[0]
        before = {"parser": source.parser, "encoding": source.encoding}
        after = {"parser": first.parser, "encoding": first.encoding}
        if after == before:
            return 0
        open_fix(context, DataFormat.name, summary)
        context.fixes.updated(SOURCE_TABLE, source.id, None, before, after)
        if not context.dry_run:
            source.parser, source.encoding = after["parser"], after["encoding"]
        return 1


def _parsed_rows(upload: ParsedUpload, county: str, sources: list[SourceFile]) -> dict[RowKey, dict[str, Any]]:
    """The re-parsed rows of ``county`` as stored-row values (the way the submit stores them), by position."""
    if upload.rows.empty:
        return {}
    ids = {source.name: source.id for source in sources}
    found: dict[RowKey, dict[str, Any]] = {}
    for row in upload.rows[upload.rows["county"] == county].to_dict("records"):
        source_id = source_file_for_row(str(row["file"]), ids)
        values = {name: _text(row.get(name)) for name in ROSTER_FIELDS if name != "vote_date"}
        values["vote_date"] = to_json_value(as_date(row.get("vote_date")))
        found[(source_id, _text(row["sheet"]) or "", int(row["row_no"]))] = {k: values[k] for k in ROSTER_FIELDS}
    return found


def _text(value: Any) -> str | None:
    """A cell as the submit stores it: None for missing values, text otherwise."""
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    return str(value)


