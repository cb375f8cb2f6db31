"""The one pre-check of a county upload: the upload wizard, ``turnout precheck`` and submit all read through it.

No database: the files are read (an ``_Updated`` correction supersedes its original, see
``ingest/interpret/county_upload.py`` ``read_upload_files``), interpreted, and compared with statewide counts
the caller read (``services/statewide_cache.py``). The wizard also asks for every sheet with its detected
layout, for its preview and its column quality, so the files are read once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from turnout_desktop.ingest.interpret.county_upload import read_upload_files, upload_from_workbooks
from turnout_desktop.ingest.interpret.layout import DetectedLayout, detect_layout
from turnout_desktop.ingest.interpret.mapping import resolve_override
from turnout_desktop.ingest.interpret.model import ParsedUpload, Problem
from turnout_desktop.ingest.interpret.precheck import PrecheckReport, StatewideCounts
from turnout_desktop.ingest.readers.raw import RawSheet, RawWorkbook

# PrecheckReport and Problem: the report's types, named here for the front ends (cli/ and gui/ never import ingest/).
__all__ = ["PrecheckReport", "PrecheckResult", "Problem", "ReadSheet", "precheck_upload", "sheets_with_layouts"]


@dataclass(frozen=True, slots=True)
class ReadSheet:
    """One sheet as read, with the layout detection found for it (None: no header)."""

    file: str
    sheet: RawSheet
    layout: DetectedLayout | None


@dataclass(frozen=True, slots=True)
class PrecheckResult:
    """The pre-check report, and (when asked for) every sheet read with its layout."""

    report: PrecheckReport
    sheets: tuple[ReadSheet, ...] = ()

    @property
    def upload(self) -> ParsedUpload:
        return self.report.upload

    @property
    def ready(self) -> bool:
        return self.report.ready


def precheck_upload(paths: Sequence[Path], *, county: str | None = None, election: dt.date | None = None,
                    party: str | None = None, method: str | None = None, mapping: Mapping[str, str] | None = None,
                    statewide_counts: StatewideCounts | None = None, with_sheets: bool = False) -> PrecheckResult:
    """Pre-check the files of one upload (no database needed).

    Args:
        paths: the files (xlsx/xls/ods/csv/tsv/txt/json or zips of them).
        county: the county submitting (rows of other counties then block).
        election: the election date (file-name date sanity).
        party, method: used when neither a column, the sheet name nor the file name says.
        mapping: explicit field -> header title overrides (``{"vuid": "Voter ID"}``).
        statewide_counts: cached statewide counts, (county, party, method) -> count, to compare with.
        with_sheets: also return every sheet read (superseded originals included) with its detected layout.

    Raises:
        ImportRejected: the files cannot be read at all, or an option is not a known value.
    """
    files = read_upload_files([Path(p) for p in paths], read_superseded=with_sheets)
    upload = upload_from_workbooks(files.used, county=county, election=election, party=party, method=method,
                                   mapping=mapping, log=files.log)
    sheets = sheets_with_layouts(files.read, mapping) if with_sheets else ()
    return PrecheckResult(PrecheckReport(upload=upload, statewide_counts=statewide_counts), sheets)


def sheets_with_layouts(workbooks: Sequence[RawWorkbook], mapping: Mapping[str, str] | None) -> tuple[ReadSheet, ...]:
    """Every sheet of the workbooks with the layout detection finds for it (None when it finds none)."""
    override = resolve_override(mapping) or None
    read = []
    for workbook in workbooks:
        for sheet in workbook.sheets:
            try:
                layout = detect_layout(sheet, override)
            except Exception:  # noqa: BLE001 - a bad override shows as a pre-check problem already
                layout = None
            read.append(ReadSheet(workbook.file_name, sheet, layout))
    return tuple(read)
