"""Worker side of the upload wizard (no Qt): pre-check, raw preview rows, column quality, submit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from turnout_desktop.gui.jobs import ContextSpec, open_worker_context, service

PREVIEW_HEAD_ROWS = 200
PREVIEW_MAX_PROBLEM_ROWS = 300
QUALITY_FIELDS = ("vuid", "county", "party", "voting_method", "precinct", "vote_date")

# Kinds of preview rows (drawn differently).
BANNER, HEADER, DATA, FOOTER, BLANK = "banner", "header", "data", "footer", "blank"


@dataclass(slots=True)
class SheetPreview:
    """The first rows of one sheet as read, each marked banner / header / data / footer / blank."""

    file: str
    sheet: str
    header_row: int | None
    titles: list[str]
    rows: list[tuple[int, str, list[str]]]  # (spreadsheet row number, kind, cells as text)


@dataclass(frozen=True, slots=True)
class ColumnQuality:
    """Power-Query-style profile of one mapped field."""

    field: str
    valid: int
    repaired: int
    error: int
    empty: int

    @property
    def total(self) -> int:
        return self.valid + self.repaired + self.error + self.empty


@dataclass(slots=True)
class WizardCheck:
    """Everything the wizard pages show after one pre-check."""

    report: Any  # ingest.precheck.PrecheckReport, its rows and file bytes dropped (see slim_upload)
    row_count: int
    previews: list[SheetPreview]
    quality: list[ColumnQuality]
    statewide: list[dict[str, Any]] = field(default_factory=list)
    offline: bool = False


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def sheet_previews(paths: Sequence[Path], mapping: Mapping[str, str] | None,
                   problem_rows: set[tuple[str, int]]) -> list[SheetPreview]:
    """Raw first rows of every sheet, with footers and rows that have problems added."""
    from turnout_desktop.ingest.layout import detect_layout
    from turnout_desktop.ingest.raw import read_raw_path

    previews: list[SheetPreview] = []
    for path in paths:
        for workbook in read_raw_path(path):
            for sheet in workbook.sheets:
                try:
                    layout = detect_layout(sheet, mapping)
                except Exception:  # noqa: BLE001 - a bad override shows as a pre-check problem already
                    layout = None
                wanted = set(range(min(sheet.n_rows, PREVIEW_HEAD_ROWS)))
                footers = {f.index for f in layout.footers} if layout else set()
                wanted |= footers
                wanted |= {row - 1 for (name, row) in problem_rows if name == workbook.file_name
                           and 0 < row <= sheet.n_rows}
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
                    rows.append((index + 1, kind, cells))
                previews.append(SheetPreview(workbook.file_name, sheet.name,
                                             layout.header_row if layout else None,
                                             list(layout.titles) if layout else [], rows))
    return previews


def column_quality(rows: pd.DataFrame) -> list[ColumnQuality]:
    """Valid / repaired / error / empty per field of a roster upload (empty list for summaries)."""
    if rows.empty:
        return []
    result = []
    codes = rows["problem_code"].astype("string").fillna("")
    for name in QUALITY_FIELDS:
        values = rows[name]
        present = values.notna()
        if name == "vuid":
            raw = rows["vuid_raw"].astype("string").fillna("").str.strip()
            empty = raw.eq("")
            repaired = present & codes.str.startswith("vuid_repaired")
            valid = present & ~repaired
            error = ~present & ~empty
            result.append(ColumnQuality(name, int(valid.sum()), int(repaired.sum()), int(error.sum()),
                                        int(empty.sum())))
        else:
            result.append(ColumnQuality(name, int(present.sum()), 0, 0, int((~present).sum())))
    return result


def cached_statewide_counts(spec: ContextSpec, election: dt.date | None) -> dict[tuple[str, str, str], int] | None:
    """Statewide counts from the local cache, or None when there is no database to ask."""
    from turnout_desktop.db.models import StatewideCountCache
    from turnout_desktop.db.session import transaction

    if election is None:
        return None
    ctx = open_worker_context(spec)
    with transaction(ctx.engine) as session:
        rows = session.execute(select(StatewideCountCache).where(StatewideCountCache.election_date == election))
        return {(r.county, r.party, r.voting_method): r.count for r in rows.scalars()}


def run_precheck(spec: ContextSpec | None, paths: list[Path], *, county: str | None, election: dt.date | None,
                 party: str | None, method: str | None, mapping: dict[str, str] | None,
                 progress: Callable[[float, str], None], cancelled: Callable[[], bool]) -> WizardCheck:
    """Pre-check (works offline), then the preview rows and column profile of the same files."""
    from turnout_desktop.ingest.precheck import precheck_files

    statewide, offline = None, False
    if spec is not None:
        try:
            statewide = cached_statewide_counts(spec, election)
        except Exception:  # noqa: BLE001 - the pre-check must work without a database
            offline = True
    progress(0.1, "reading files")
    report = precheck_files(paths, county=county, election=election, party=party, method=method,
                            mapping=mapping or None, statewide_counts=statewide)
    progress(0.7, "preparing preview")
    problem_rows = {(p.file, p.row) for p in report.upload.problems if p.row is not None}
    previews = sheet_previews(paths, mapping or None, problem_rows)
    quality = column_quality(report.upload.rows)
    row_count = report.rows
    statewide_rows = report.statewide_json() if statewide is not None else []
    slim_upload(report.upload)
    progress(1.0, "done")
    return WizardCheck(report, row_count, previews, quality, statewide_rows, offline)


def slim_upload(upload: Any) -> None:
    """Drop what the GUI never shows (all rows, file bytes): the result crosses a process boundary."""
    upload.rows = upload.rows.head(0)
    for parsed in upload.files:
        parsed.content = b""


def submit(spec: ContextSpec, paths: list[Path], *, election: dt.date, county: str | None, party: str | None,
           method: str | None, mapping: dict[str, str] | None, progress: Callable[[float, str], None],
           cancelled: Callable[[], bool]) -> Any:
    """``services.submission.submit_files`` with reconciliation, on the worker."""
    ctx = open_worker_context(spec)
    result = service("submission", "submit_files")(ctx, paths, election=election, county=county, party=party,
                                                    method=method, mapping=mapping or None, reconcile=True,
                                                    progress=progress, cancel=cancelled)
    slim_upload(result.upload)
    return result
