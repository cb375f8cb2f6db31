"""Strategy E: re-parse the kept upload bytes with another parser or encoding.

For each file of the county's current submission(s) whose bytes are kept in ``source_file``, the
bytes are parsed again the way they were first read (the baseline) and with each alternative
``ingest.raw.alternative_parsers`` proposes. An alternative is taken only when it is strictly
better: fewer blocking problems, then fewer rows without a usable VUID. Its results replace the
first parse's: roster rows get the recovered VUIDs, the county's official counts are re-derived,
and the file's parser/encoding are updated - each as an ``update`` action (new reference rows as
``insert``), so undo restores the first parse exactly.
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from strategies._common import open_fix, result
from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    SourceFile,
    Submission,
    SubmissionFile,
)
from turnout_desktop.engine.fixes import snapshot
from turnout_desktop.engine.types import DATA_FORMAT, Diagnosis, StrategyContext, StrategyResult
from turnout_desktop.errors import ImportRejected

ROSTER_FIELDS = ["vuid", "vuid_raw", "problem_code"]


def _score(upload: Any) -> tuple[int, int]:
    """Lower is better: blocking problems, then rows that carry no usable VUID."""
    blocking = sum(1 for p in upload.problems if p.blocking)
    rows = upload.rows
    unusable = int(rows["vuid"].isna().sum()) if len(rows) and "vuid" in rows else 0
    return blocking, unusable


class DataFormat:
    """E: take a better parse of the kept bytes (recovered VUIDs, re-derived official counts)."""

    name = "data_format"
    letter = "E"

    def applies(self, diagnosis: Diagnosis) -> bool:
        return DATA_FORMAT in diagnosis.codes

    def execute(self, context: StrategyContext) -> StrategyResult:
        try:
            from turnout_desktop.ingest.county_upload import read_county_upload
            from turnout_desktop.ingest.raw import alternative_parsers, read_raw
        except ImportError as error:
            return result(context, f"Re-parsing is not available in this build ({error})")
        updated = inserted = 0
        notes: list[str] = []
        for submission, source in self._kept_files(context):
            content = source.content or b""
            try:
                workbooks = read_raw(content, source.name)
            except ImportRejected as error:
                notes.append(f"{source.name}: unreadable ({error.reason})")
                continue
            alternatives = alternative_parsers(workbooks[0]) if workbooks else []
            with tempfile.TemporaryDirectory(prefix="turnout-reparse-") as folder:
                path = Path(folder) / Path(source.name).name
                path.write_bytes(content)
                parse = partial(read_county_upload, [path], county=context.county, election=context.election_date)
                baseline_options = self._first_options(source)
                try:
                    best, best_options = parse(**baseline_options), baseline_options
                except (ImportRejected, TypeError):
                    continue
                for options in alternatives:
                    try:
                        candidate = parse(**options)
                    except (ImportRejected, TypeError):
                        continue
                    if _score(candidate) < _score(best):
                        best, best_options = candidate, options
            if best_options == baseline_options:
                continue
            summary = f"Re-parse {source.name} with {best_options}"
            open_fix(context, self.name, summary)
            updated += self._update_roster_rows(context, submission, source, best)
            changed_refs, new_refs = self._update_counts(context, submission, best)
            updated += changed_refs
            inserted += new_refs
            updated += self._update_source(context, source, best_options)
            notes.append(f"{source.name}: re-read with {best_options}")
        message = "Re-parsed the kept upload: " + ("; ".join(notes) if notes else "no better parse found")
        return result(context, message, inserted=inserted, updated=updated)

    @staticmethod
    def _first_options(source: SourceFile) -> dict[str, Any]:
        """How the file was read the first time (csv: the encoding; workbooks: the parser)."""
        if source.parser == "csv" or source.parser is None:
            return {"encoding": source.encoding} if source.encoding else {}
        return {"parser": source.parser}

    @staticmethod
    def _kept_files(context: StrategyContext) -> list[tuple[Submission, SourceFile]]:
        rows = context.session.execute(
            select(Submission, SourceFile)
            .join(SubmissionFile, SubmissionFile.submission_id == Submission.id)
            .join(SourceFile, SourceFile.id == SubmissionFile.source_file_id)
            .where(Submission.county == context.county, Submission.election_date == context.election_date,
                   Submission.superseded_at.is_(None), SourceFile.content.is_not(None))
            .order_by(Submission.id, SourceFile.id))
        return [(submission, source) for submission, source in rows]

    @staticmethod
    def _update_roster_rows(context: StrategyContext, submission: Submission, source: SourceFile,
                            upload: Any) -> int:
        """Write recovered or corrected VUIDs onto the stored roster rows (matched by sheet and row)."""
        if not len(upload.rows):
            return 0
        parsed = {(str(r["sheet"] or ""), int(r["row_no"])): r for r in upload.rows.to_dict("records")}
        stored = context.session.execute(select(CountyRosterRow).where(
            CountyRosterRow.submission_id == submission.id, CountyRosterRow.source_file_id == source.id)).scalars()
        changed = 0
        for row in stored:
            new = parsed.get((row.sheet or "", row.row_no))
            if new is None:
                continue
            after = {"vuid": _none(new.get("vuid")), "vuid_raw": _none(new.get("vuid_raw")),
                     "problem_code": _none(new.get("problem_code"))}
            before = snapshot(row, ROSTER_FIELDS)
            if after == before:
                continue
            context.fixes.updated("county_roster_row", row.id, after["vuid"] or row.vuid, before, after)
            if not context.dry_run:
                for key, value in after.items():
                    setattr(row, key, value)
            changed += 1
        return changed

    @staticmethod
    def _update_counts(context: StrategyContext, submission: Submission, upload: Any) -> tuple[int, int]:
        """Re-derive the county's official counts; returns (updated, inserted) reference rows."""
        existing = {(r.party, r.voting_method): r for r in context.session.execute(
            select(CountyTurnoutReference).where(CountyTurnoutReference.county == context.county,
                                                 CountyTurnoutReference.election_date == context.election_date)
        ).scalars()}
        updated = inserted = 0
        for count in upload.counts:
            if count.county != context.county:
                continue
            reference = existing.get((count.party, count.voting_method))
            if reference is None:
                inserted += 1
                new_row = CountyTurnoutReference(
                    county=context.county, election_date=context.election_date, party=count.party,
                    voting_method=count.voting_method, official_count=count.count, source="re-parse",
                    uploaded_by=context.user, submission_id=submission.id)
                if context.dry_run:
                    context.fixes.inserted("county_turnout_reference", 0, None, {"official_count": count.count})
                else:
                    context.session.add(new_row)
                    context.session.flush()
                    context.fixes.inserted("county_turnout_reference", new_row.id, None, snapshot(new_row))
            elif reference.official_count != count.count:
                updated += 1
                context.fixes.updated("county_turnout_reference", reference.id, None,
                                      {"official_count": reference.official_count}, {"official_count": count.count})
                if not context.dry_run:
                    reference.official_count = count.count
        return updated, inserted

    @staticmethod
    def _update_source(context: StrategyContext, source: SourceFile, options: dict[str, Any]) -> int:
        after = {"parser": options.get("parser", source.parser), "encoding": options.get("encoding", source.encoding)}
        before = {"parser": source.parser, "encoding": source.encoding}
        if after == before:
            return 0
        context.fixes.updated("source_file", source.id, None, before, after)
        if not context.dry_run:
            source.parser, source.encoding = after["parser"], after["encoding"]
        return 1


def _none(value: Any) -> Any:
    """pandas missing values (NaN/NA/NaT) as None."""
    try:
        import pandas as pd

        return None if value is None or bool(pd.isna(value)) else value
    except (TypeError, ValueError):
        return value
