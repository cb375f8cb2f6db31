"""The files of one county upload into rows, official counts and problems: ``read_upload_files`` reads them,
``upload_from_workbooks`` interprets them (``services/precheck.py`` ``precheck_upload`` makes the two calls)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from turnout_desktop.domain.codes import VotingMethod, is_in_person_only_name, parse_method, parse_party
from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.interpret.dates import vote_date_from_name
from turnout_desktop.ingest.interpret.filenames import (
    county_from_name,
    county_named,
    method_from_name,
    party_from_name,
    superseded_by_updates,
)
from turnout_desktop.ingest.interpret.layout import (
    DetectedLayout,
    borrow_header,
    detect_layout,
    is_empty_cell,
    row_cells,
)
from turnout_desktop.ingest.interpret.mapping import resolve_override
from turnout_desktop.ingest.interpret.model import ROW_COLUMNS, ParsedFile, ParsedUpload, SheetLayout
from turnout_desktop.ingest.interpret.problems import ProblemLog
from turnout_desktop.ingest.interpret.roster import Hints, read_roster_sheet
from turnout_desktop.ingest.interpret.summary import SummaryCounts, read_summary_sheet
from turnout_desktop.ingest.interpret.upload_counts import CountTable, official_counts, roster_counts, summary_counts
from turnout_desktop.ingest.interpret.upload_duplicates import flag_duplicates
from turnout_desktop.ingest.readers.blank_lines import blank_rows_between
from turnout_desktop.ingest.readers.raw import RawSheet, RawWorkbook
from turnout_desktop.ingest.readers.registry import read_raw_path

# A footer that totals the roster's voters or ballots ("Total", "Total Voters: 4", "Grand Total").
_ROSTER_TOTAL = re.compile(r"^\s*(grand\s+)?totals?(\s+(voters?|ballots?|records?|votes?|rows?|count|received|returned|"
                           r"voted|cast))?\s*[:#=\-]?\s*[\d,]*\s*$", re.IGNORECASE)
UTF8_FAMILY = {"utf-8", "utf-8-sig", "utf8", "ascii", None}


@dataclass(slots=True)
class Options:
    """Canonical command-line options of one upload."""

    county: str | None
    party: str | None
    method: str | None
    election: date | None
    mapping: dict[str, str]


@dataclass(slots=True)
class _Collected:
    rosters: list[pd.DataFrame] = field(default_factory=list)
    summaries: list[SummaryCounts] = field(default_factory=list)
    sheets: dict[int, RawSheet] = field(default_factory=dict)
    empty_keys: set[tuple[str, str]] = field(default_factory=set)


def resolve_options(county: str | None, party: str | None, method: str | None, election: date | None,
                    mapping: Mapping[str, str] | None) -> Options:
    """Check and canonicalise the user's options (unknown values are refused, not guessed)."""
    county_name = canonical_county_name(county) if county else None
    if county and county_name is None:
        raise ImportRejected(f"--county {county!r} is not one of the 254 Texas counties", reason="bad_option")
    party_code = parse_party(party) if party else None
    if party and party_code is None:
        raise ImportRejected(f"--party {party!r} is not a known party (DEM, REP, LIB, GRN, ALL)", reason="bad_option")
    method_code = parse_method(method) if method else None
    if method and method_code is None:
        raise ImportRejected(f"--method {method!r} is not early-voting, election-day or mail-in", reason="bad_option")
    return Options(county_name, party_code, str(method_code) if method_code else None, election,
                   resolve_override(mapping))


@dataclass(frozen=True, slots=True)
class UploadFiles:
    """The raw workbooks of one upload's files, in the order given, and the problems of reading them."""

    used: tuple[RawWorkbook, ...]  # what the upload is made of: without the originals an update supersedes
    read: tuple[RawWorkbook, ...]  # every workbook read (the superseded originals too, when they were read)
    log: ProblemLog  # one ``file_superseded`` problem per superseded original


def read_upload_files(paths: Sequence[Path], *, read_superseded: bool = False) -> UploadFiles:
    """Read the files of one upload; an ``_Updated`` correction supersedes its original.

    The original is left out of ``used`` (and logged as ``file_superseded``); it is read only with
    ``read_superseded`` (the upload wizard previews it), so an unreadable original otherwise never
    fails the upload.
    """
    log = ProblemLog()
    used: list[RawWorkbook] = []
    read: list[RawWorkbook] = []
    superseded = superseded_by_updates([Path(p).name for p in paths])
    for path in map(Path, paths):
        if path.name in superseded:
            log.add("file_superseded", file=path.name, value=superseded[path.name])
            if not read_superseded:
                continue
        workbooks = read_raw_path(path)
        read.extend(workbooks)
        if path.name not in superseded:
            used.extend(workbooks)
    return UploadFiles(tuple(used), tuple(read), log)


def upload_from_workbooks(workbooks: Sequence[RawWorkbook], *, county: str | None = None,
                          election: date | None = None, party: str | None = None, method: str | None = None,
                          mapping: Mapping[str, str] | None = None, log: ProblemLog | None = None) -> ParsedUpload:
    """Interpret raw workbooks already read (strategy E re-parses stored bytes through this too).

    Raises:
        ImportRejected: no sheet has a header with a VUID column or count columns.
    """
    options = resolve_options(county, party, method, election, mapping)
    log = log or ProblemLog()
    files: list[ParsedFile] = []
    collected = _Collected()
    for workbook in workbooks:
        files.append(_read_workbook(workbook, options, log, collected))
    first_sheet = next((s for f in files for s in f.layouts), None)
    if first_sheet is None:
        first = next((w for w in workbooks if w.sheets), workbooks[0] if workbooks else None)
        raise ImportRejected("No header with a VUID column or with count columns was found in the first 100 rows",
                             reason="no_vuid_column", file=first.file_name if first else None,
                             sheet=(first.sheets[0].name or None) if first and first.sheets else None)
    counts: CountTable = {}
    kind = "roster"
    if collected.summaries:
        counts = summary_counts(collected.summaries, log)
        kind = "summary"
    rows = pd.concat(collected.rosters, ignore_index=True) if collected.rosters else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in (*ROW_COLUMNS, "_sheet_key", "_index")})
    if collected.rosters:
        repeated = flag_duplicates(rows, collected.sheets, log)
        if kind == "roster":
            counts = roster_counts(rows, collected.empty_keys, repeated)
    rows = rows[list(ROW_COLUMNS)].reset_index(drop=True)
    return ParsedUpload(kind=kind, files=files, rows=rows, counts=official_counts(counts), problems=log.finish())


def _read_workbook(workbook: RawWorkbook, options: Options, log: ProblemLog, collected: _Collected) -> ParsedFile:
    parsed = ParsedFile(name=workbook.file_name, sha256=hashlib.sha256(workbook.content).hexdigest(),
                        content=workbook.content, parser=workbook.parser, encoding=workbook.encoding)
    if workbook.parser == "csv" and workbook.encoding is not None and workbook.encoding not in UTF8_FAMILY \
            and not workbook.encoding.startswith("utf"):
        log.add("encoding_fallback", file=workbook.file_name, value=workbook.encoding,
                message=f"The file is not UTF-8; it was read as {workbook.encoding}.")
    if workbook.mixed_encoding_rows:
        log.add_rows("mixed_encoding", workbook.mixed_encoding_rows, [None] * len(workbook.mixed_encoding_rows),
                     file=workbook.file_name, sheet=None, column=None)
    for note in workbook.notes:
        if not any(word in note.lower() for word in ("encoding", "delimiter")):
            log.add("reader_note", file=workbook.file_name, value=note, message=note)
    visible = [sheet for sheet in workbook.sheets if not sheet.hidden]
    layouts = {id(sheet): detect_layout(sheet, options.mapping or None) for sheet in visible}
    for sheet in workbook.sheets:
        if sheet.hidden:
            log.add("hidden_sheet_skipped", file=workbook.file_name, sheet=sheet.name)
            continue
        layout = layouts[id(sheet)] or _borrowed_layout(sheet, visible, layouts)
        if layout is None:
            if sheet.n_rows and len(workbook.sheets) > 1:
                log.add("sheet_skipped", file=workbook.file_name, sheet=sheet.name)
            continue
        if layout.header_from is not None:
            log.add("header_borrowed", file=workbook.file_name, sheet=sheet.name, value=layout.header_from,
                    message=f"The sheet has no header row; it was read with the header of sheet "
                            f"{layout.header_from!r} (its VUID column holds VUIDs here too).")
        hints = _hints(workbook.file_name, sheet.name, options)
        if hints.county is None:
            # Travis banners say "Travis County Ballot By Mail Roster" when the file name names no county.
            hints.county_from_name = _county_from_banner(sheet, layout)
        if layout.vuid_inferred:
            log.add("header_vuid_inferred", file=workbook.file_name, sheet=sheet.name,
                    row=layout.header_row or None, value=f"column {layout.mapping['vuid'] + 1}",
                    message=f"The header has no VUID title; untitled column {layout.mapping['vuid'] + 1} holds "
                            f"10-digit VUIDs and was read as the VUID column.")
        _report_skipped_rows(sheet, layout, hints, log)
        if layout.kind == "roster":
            frame = read_roster_sheet(sheet, layout, hints, log)
            frame["_sheet_key"] = id(sheet)
            collected.sheets[id(sheet)] = sheet
            collected.rosters.append(frame)
            _check_roster_footers(layout, len(frame), hints, log)
            if not len(frame) and hints.county:
                collected.empty_keys.add((hints.county, hints.party or "ALL"))
            rows_read = len(frame)
        else:
            summary = read_summary_sheet(sheet, layout, hints, log)
            collected.summaries.append(summary)
            rows_read = len(layout.data_indexes)
        parsed.layouts.append(SheetLayout(file=workbook.file_name, sheet=sheet.name or None, parser=workbook.parser,
                                          encoding=workbook.encoding, header_row=layout.header_row,
                                          mapping=layout.mapping_titles(), kind=layout.kind, rows_read=rows_read))
    return parsed


def _borrowed_layout(sheet: RawSheet, visible: list[RawSheet],
                     layouts: dict[int, DetectedLayout | None]) -> DetectedLayout | None:
    """A headerless sheet read with the header of the nearest roster sheet before it (else after it) that fits."""
    if not sheet.n_rows:
        return None
    position = visible.index(sheet)
    nearest_first = [*reversed(visible[:position]), *visible[position + 1:]]
    for donor_sheet in nearest_first:
        donor = layouts[id(donor_sheet)]
        if donor is not None and donor.kind == "roster":
            borrowed = borrow_header(sheet, donor, donor_sheet.name)
            if borrowed is not None:
                return borrowed
    return None


def name_hints(file_name: str, sheet_name: str, options: Options) -> Hints:
    """What the options and the file and sheet names say of one sheet (the wizard shows where a value came from)."""
    return _hints(file_name, sheet_name, options)


def _hints(file_name: str, sheet_name: str, options: Options) -> Hints:
    base = Path(file_name.split("/")[-1]).name
    names = (base, file_name) if base != file_name else (base,)
    sheet_method = method_from_name(sheet_name) if sheet_name else None
    method_file = next((str(m) for m in (method_from_name(n) for n in names) if m), None)
    on_day = vote_date_from_name(base, election=options.election, election_day=True)
    if on_day is not None and on_day == options.election and is_in_person_only_name(base):
        # "IN PERSON" on election day itself is the election-day roster (Brazoria 2026-03-03-IN PERSON-REP).
        method_file = str(VotingMethod.ELECTION_DAY)
    method = method_file or (str(sheet_method) if sheet_method else None) or options.method
    # The election date in a name is the vote day only of an election-day roster.
    day = on_day if method == VotingMethod.ELECTION_DAY else vote_date_from_name(base, election=options.election)
    return Hints(
        file=file_name, sheet=sheet_name, county_option=options.county,
        county_from_name=next((c for c in (county_from_name(n) for n in names) if c), None),
        party_sheet=party_from_name(sheet_name) if sheet_name else None,
        party_file=next((p for p in (party_from_name(n) for n in names) if p), None),
        party_option=options.party,
        method_file=method_file,
        method_sheet=str(sheet_method) if sheet_method else None,
        method_option=options.method, date_file=day,
    )


def _county_from_banner(sheet: RawSheet, layout: DetectedLayout) -> str | None:
    """The county a title row above the header names as "<name> County", when exactly one is named."""
    named = {county_named(str(cell)) for index in range(layout.title_rows_end) for cell in row_cells(sheet, index)
             if isinstance(cell, str) and cell.strip()} - {None}
    return named.pop() if len(named) == 1 else None


def _report_skipped_rows(sheet: RawSheet, layout: DetectedLayout, hints: Hints, log: ProblemLog) -> None:
    banner = [i for i in range(layout.title_rows_end)
              if not all(is_empty_cell(c) for c in row_cells(sheet, i))]
    if banner:
        first = next(str(c) for c in row_cells(sheet, banner[0]) if not is_empty_cell(c))
        above = "the data" if layout.header_from is not None else f"the header (row {layout.header_row})"
        log.add("banner_skipped", file=hints.file, sheet=hints.sheet, row=layout.row_number(banner[0]), value=first,
                message=f"{len(banner)} title row(s) above {above} were skipped.")
    blank = np.asarray(layout.blank_indexes, dtype=np.int64)
    if layout.footers:
        blank = blank[blank <= layout.footers[0].index]
    rows = layout.row_numbers_of(blank)
    dropped = 0
    if layout.row_numbers is not None and len(layout.row_numbers):
        # Blank lines the text reader dropped (ingest/readers/blank_lines.py): the first few listed, all counted.
        first_row = layout.row_number(layout.header_index) + 1 if layout.header_index >= 0 else 1
        last_row = layout.row_number(layout.footers[0].index) if layout.footers else int(layout.row_numbers[-1])
        listed, dropped = blank_rows_between(layout.row_numbers, first_row, last_row, log.limit)
        rows = np.sort(np.concatenate([rows, listed]))
        dropped -= len(listed)
    # In bulk: a file padded with millions of blank lines costs no Python call per line.
    log.add_row_codes(np.full(rows.size, "blank_row", dtype=object), rows, np.full(rows.size, None),
                      file=hints.file, sheet=hints.sheet, column=None)
    log.add_unlisted_rows("blank_row", dropped, file=hints.file)


def _check_roster_footers(layout: DetectedLayout, rows_read: int, hints: Hints, log: ProblemLog) -> None:
    where = {"file": hints.file, "sheet": hints.sheet}
    for footer in layout.footers:
        row = layout.row_number(footer.index)
        if footer.number is None or not _ROSTER_TOTAL.match(footer.label):
            # Only a total of voters is comparable with the rows read; "Total Suspense" (Travis L25) is not.
            log.add("footer_skipped", row=row, value=footer.label, **where)
        elif footer.number == rows_read:
            log.add("footer_total", row=row, value=footer.number,
                    message=f"The footer total {footer.number:,} agrees with the {rows_read:,} rows read.", **where)
        else:
            log.add("footer_total_mismatch", row=row, value=footer.number,
                    message=f"The footer says {footer.number:,}, but {rows_read:,} rows were read.", **where)
