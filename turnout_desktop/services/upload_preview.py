"""What the upload wizard shows after one pre-check: the report, marked preview rows, column quality.

No Qt: this runs on the GUI's worker (``gui/wizard_jobs.py``), and the result crosses to the GUI thread
(or back from the heavy-job child process), so it keeps no rows and no file bytes (``slim_upload``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.ingest.interpret.mapping import ROSTER_FIELDS
from turnout_desktop.ingest.interpret.model import ParsedUpload
from turnout_desktop.ingest.interpret.precheck import PrecheckReport, StatewideComparison
from turnout_desktop.services.column_quality import ColumnQuality, column_quality
from turnout_desktop.services.field_sources import FieldSource, field_sources
from turnout_desktop.services.precheck import ReadSheet, precheck_upload
from turnout_desktop.services.statewide_cache import StatewideCache
from turnout_desktop.services.upload_risks import UploadRisks

__all__ = ["BANNER", "BLANK", "DATA", "FOOTER", "HEADER", "MAPPABLE_FIELDS", "ColumnQuality", "FieldSource",
           "SheetPreview", "UploadCheck", "check_upload", "sheet_previews", "slim_upload"]

MAPPABLE_FIELDS = ROSTER_FIELDS  # the fields the wizard offers to map to a column title
PREVIEW_HEAD_ROWS = 200
PREVIEW_MAX_PROBLEM_ROWS = 300

# Kinds of preview rows (drawn differently).
BANNER, HEADER, DATA, FOOTER, BLANK = "banner", "header", "data", "footer", "blank"


@dataclass(frozen=True, slots=True)
class SheetPreview:
    """The first rows of one sheet as read, each marked banner / header / data / footer / blank."""

    file: str
    sheet: str
    header_row: int | None
    titles: Sequence[str]
    rows: Sequence[tuple[int, str, Sequence[str]]]  # (spreadsheet row number, kind, cells as text)


@dataclass(frozen=True, slots=True)
class UploadCheck:
    """Everything the wizard pages show after one pre-check."""

    report: PrecheckReport  # its upload's rows and file bytes dropped (see slim_upload)
    row_count: int
    previews: tuple[SheetPreview, ...]
    quality: tuple[ColumnQuality, ...]
    statewide: tuple[StatewideComparison, ...] = ()  # report.statewide_comparison when a cache was compared
    offline: bool = False  # the database holding the statewide cache could not be read
    risks: UploadRisks | None = None  # what submitting would replace or get wrong (None: no database to ask)
    fields: tuple[FieldSource, ...] = ()  # where each roster field of each sheet comes from


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sheet_previews(read: Sequence[ReadSheet], problem_rows: set[tuple[str, int]]) -> tuple[SheetPreview, ...]:
    """Raw first rows of every sheet, with footers and rows that have problems added."""
    previews: list[SheetPreview] = []
    for item in read:
        sheet, layout = item.sheet, item.layout
        wanted = set(range(min(sheet.n_rows, PREVIEW_HEAD_ROWS)))
        footers = {f.index for f in layout.footers} if layout else set()
        wanted |= footers
        problem_indexes = (sheet.index_of_row(row) for (name, row) in problem_rows if name == item.file)
        wanted |= {index for index in problem_indexes if index is not None}
        rows = []
        for index in sorted(wanted)[:PREVIEW_HEAD_ROWS + PREVIEW_MAX_PROBLEM_ROWS]:
            cells = [_cell_text(c) for c in sheet.row(index)]
            if not any(c.strip() for c in cells):
                kind = BLANK
            elif layout is None:
                kind = DATA
            elif index < layout.header_index:
                kind = BANNER
            elif index == layout.header_index:
                kind = HEADER
            elif index in footers:
                kind = FOOTER
            else:
                kind = DATA
            rows.append((sheet.row_number(index), kind, cells))
        previews.append(SheetPreview(item.file, sheet.name, layout.header_row if layout else None,
                                     list(layout.titles) if layout else [], rows))
    return tuple(previews)


def check_upload(paths: Sequence[Path], *, county: str | None, election: dt.date | None, party: str | None,
                 method: str | None, mapping: Mapping[str, str] | None, statewide: StatewideCache | None = None,
                 progress: Callable[[float, str], None] | None = None,
                 risks: Callable[[ParsedUpload], UploadRisks | None] | None = None) -> UploadCheck:
    """The pre-check (``services/precheck.py``), preview rows and column quality, from one read of the files.

    Args:
        statewide: the cached statewide counts to compare with (None: no database to ask).
        risks: judges the upload, all rows still read, against the database (``services/upload_risks.py``).
    """
    if progress:
        progress(0.1, "reading and checking files")
    result = precheck_upload(paths, county=county, election=election, party=party, method=method,
                             mapping=mapping or None, statewide_counts=statewide.counts if statewide else None,
                             with_sheets=True)
    upload = result.upload
    if progress:
        progress(0.8, "preparing preview")
    problem_rows = {(p.file, p.row) for p in upload.problems if p.row is not None}
    previews = sheet_previews(result.sheets, problem_rows)
    quality = column_quality(result.sheets, upload.rows, upload.problems,
                             county_option=canonical_county_name(county) if county else None)
    row_count = result.report.rows
    statewide_rows = result.report.statewide_comparison if result.report.statewide_counts is not None else ()
    found_risks = risks(upload) if risks is not None else None
    sources = field_sources(result.sheets, {f.name for f in upload.files}, county=county, party=party, method=method,
                            election=election, mapping=mapping)
    slim_upload(upload)
    if progress:
        progress(1.0, "done")
    return UploadCheck(result.report, row_count, previews, quality, statewide_rows,
                       offline=statewide.unreadable if statewide else False, risks=found_risks, fields=sources)


def slim_upload(upload: ParsedUpload) -> None:
    """Drop what the GUI never shows (all rows, file bytes): the result crosses a process boundary."""
    upload.rows = upload.rows.head(0)
    for parsed in upload.files:
        parsed.content = b""
