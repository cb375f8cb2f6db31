"""Worker side of the upload wizard (no Qt): pre-check, raw preview rows, column quality, submit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from turnout_desktop.gui.jobs import ContextSpec, open_worker_context
from turnout_desktop.gui.wizard_quality import ColumnQuality, ReadSheet, column_quality

PREVIEW_HEAD_ROWS = 200
PREVIEW_MAX_PROBLEM_ROWS = 300

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


@dataclass(slots=True)
class WizardCheck:
    """Everything the wizard pages show after one pre-check."""

    report: Any  # ingest.interpret.precheck.PrecheckReport, its rows and file bytes dropped (see slim_upload)
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


def read_sheets(paths: Sequence[Path], mapping: Mapping[str, str] | None) -> tuple[list[Any], list[ReadSheet]]:
    """Read every file once: the raw workbooks (for the parse) and each sheet with its detected layout."""
    from turnout_desktop.ingest.interpret.layout import detect_layout
    from turnout_desktop.ingest.interpret.mapping import resolve_override
    from turnout_desktop.ingest.readers.registry import read_raw_path

    override = resolve_override(mapping) or None
    workbooks, read = [], []
    for path in paths:
        for workbook in read_raw_path(Path(path)):
            workbooks.append(workbook)
            for sheet in workbook.sheets:
                try:
                    layout = detect_layout(sheet, override)
                except Exception:  # noqa: BLE001 - a bad override shows as a pre-check problem already
                    layout = None
                read.append(ReadSheet(workbook.file_name, sheet, layout))
    return workbooks, read


def sheet_previews(read: Sequence[ReadSheet], problem_rows: set[tuple[str, int]]) -> list[SheetPreview]:
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
    return previews


def parse_upload(workbooks: Sequence[Any], *, county: str | None, election: dt.date | None, party: str | None,
                 method: str | None, mapping: Mapping[str, str] | None) -> Any:
    """``read_county_upload`` on workbooks already read (an ``_Updated`` correction supersedes its original)."""
    from turnout_desktop.ingest.interpret.county_upload import upload_from_workbooks
    from turnout_desktop.ingest.interpret.filenames import superseded_by_updates
    from turnout_desktop.ingest.interpret.problems import ProblemLog

    log = ProblemLog()
    names = list(dict.fromkeys(w.file_name.split("/")[0] for w in workbooks))  # a zip's members share its name
    superseded = superseded_by_updates(names)
    for name in names:
        if name in superseded:
            log.add("file_superseded", file=name, value=superseded[name])
    used = [w for w in workbooks if w.file_name.split("/")[0] not in superseded]
    return upload_from_workbooks(used, county=county, election=election, party=party, method=method,
                                 mapping=mapping, log=log)


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
    """Pre-check (works offline), preview rows and column quality, from one read of the files."""
    from turnout_desktop.domain.counties import canonical_county_name
    from turnout_desktop.ingest.interpret.precheck import PrecheckReport

    statewide, offline = None, False
    if spec is not None:
        try:
            statewide = cached_statewide_counts(spec, election)
        except Exception:  # noqa: BLE001 - the pre-check must work without a database
            offline = True
    progress(0.1, "reading files")
    workbooks, read = read_sheets(paths, mapping or None)
    progress(0.5, "checking rows")
    upload = parse_upload(workbooks, county=county, election=election, party=party, method=method,
                          mapping=mapping or None)
    report = PrecheckReport(upload=upload, statewide_counts=statewide)
    progress(0.8, "preparing preview")
    problem_rows = {(p.file, p.row) for p in upload.problems if p.row is not None}
    previews = sheet_previews(read, problem_rows)
    quality = column_quality(read, upload.rows, upload.problems,
                             county_option=canonical_county_name(county) if county else None)
    row_count = report.rows
    statewide_rows = report.statewide_json() if statewide is not None else []
    slim_upload(upload)
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
    """``services.submission.submit_files`` with reconciliation, on the worker.

    With a shared server (``spec.uses_outbox``) the upload goes through ``services.outbox.submit_or_queue``:
    an unreachable server queues it in the local outbox and the result (a ``SubmitOrQueueResult``) says so.
    """
    from turnout_desktop.services.outbox import submit_or_queue
    from turnout_desktop.services.submission import submit_files

    if spec.uses_outbox:
        outcome = submit_or_queue(
            open_worker_context(spec.outbox_spec()), spec.connect_url, paths, election=election, county=county,
            party=party, method=method, mapping=mapping or None, user=spec.user, reconcile=True,
            progress=progress, cancel=cancelled)
        if outcome.result is not None:
            slim_upload(outcome.result.upload)
        if outcome.item is not None:
            outcome.item.report = None  # the pre-check report holds every row: too big to send back
        return outcome
    ctx = open_worker_context(spec)
    result = submit_files(ctx, paths, election=election, county=county, party=party, method=method,
                          mapping=mapping or None, reconcile=True, progress=progress, cancel=cancelled)
    slim_upload(result.upload)
    return result
