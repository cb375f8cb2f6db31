"""What reading a county upload produces. Plain data, shared by pre-check, submit and strategy E.

Rows are kept column-oriented (a pandas DataFrame with the ``ROW_COLUMNS`` below) because a
county roster can hold a million rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from turnout_desktop.domain.codes import METHODS, TOTAL

# Columns of ParsedUpload.rows, one row per spreadsheet data row that was read.
ROW_COLUMNS = (
    "file",          # file name (inside a zip: "archive.zip/member.csv")
    "sheet",         # sheet name ("" for csv)
    "row_no",        # the spreadsheet's own 1-based row number
    "county",        # canonical SOS county name, or None when unknown
    "party",         # DEM / REP / LIB / GRN / ALL, or None when unknown
    "voting_method", # early-voting / election-day / mail-in, or None when unknown
    "vuid",          # 10-digit text, or None when refused
    "vuid_raw",      # the cell as read, as text
    "precinct",      # text, as written (None when absent)
    "vote_date",     # datetime.date or None
    "problem_code",  # the row's worst problem code, or None
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One pre-check finding, located by the spreadsheet's own row number and column header."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    code: str
    message: str
    blocking: bool

    def to_json(self) -> dict[str, Any]:
        """The stored form: ``submission.problems`` holds one per problem (the CLI prints the record itself)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class OfficialCount:
    """The county's official count for one (county, party, method); method may be ``TOTAL``."""

    county: str
    party: str
    voting_method: str
    count: int


@dataclass(slots=True)
class SheetLayout:
    """How one sheet (or csv) was read."""

    file: str
    sheet: str | None
    parser: str          # calamine | openpyxl | xlrd | odf | csv
    encoding: str | None # csv only
    header_row: int      # 1-based spreadsheet row of the header
    mapping: dict[str, str]  # canonical field -> header title in the file
    kind: str            # roster | summary
    rows_read: int = 0

    def to_json(self) -> dict[str, Any]:
        """The stored form: ``source_file.layout["sheets"]`` holds one per sheet (the CLI prints the record)."""
        return asdict(self)


@dataclass(slots=True)
class ParsedFile:
    """One uploaded file (bytes kept so strategy E can re-parse it later)."""

    name: str
    sha256: str
    content: bytes
    parser: str
    encoding: str | None
    layouts: list[SheetLayout] = field(default_factory=list)


@dataclass(slots=True)
class ParsedUpload:
    """Everything read from the files of one county upload."""

    kind: str  # roster | summary
    files: list[ParsedFile]
    rows: pd.DataFrame  # ROW_COLUMNS; empty for a summary upload
    counts: list[OfficialCount]  # per county, party, method (zero counts included) and TOTAL per party
    problems: list[Problem]

    @property
    def ready(self) -> bool:
        return not any(p.blocking for p in self.problems)

    @property
    def counties(self) -> list[str]:
        return sorted({c.county for c in self.counts})


def official_count_rows(counts: list[OfficialCount], county: str) -> dict[tuple[str, str], int]:
    """The reference rows a county's counts give: 3 methods (zeros included) + TOTAL per party."""
    by_party: dict[str, dict[str, int]] = defaultdict(dict)
    for count in counts:
        if count.county == county:
            by_party[count.party][count.voting_method] = count.count
    rows: dict[tuple[str, str], int] = {}
    for party, methods in sorted(by_party.items()):
        full = {m.value: int(methods.get(m.value, 0)) for m in METHODS}
        full[TOTAL] = int(methods.get(TOTAL, sum(full.values())))
        rows.update({(party, method): value for method, value in full.items()})
    return rows


def source_file_for_row(row_file: str, file_ids: dict[str, int]) -> int:
    """Id of the kept file a row came from (zip members are named ``archive.zip/member.csv``)."""
    if row_file in file_ids:
        return file_ids[row_file]
    for name, file_id in file_ids.items():
        if row_file.startswith(name + "/"):
            return file_id
    return next(iter(file_ids.values()))
