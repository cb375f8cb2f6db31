"""Per-column quality of a roster upload (valid / repaired / error / empty), for the upload wizard.

No Qt: this runs on the GUI's worker. Each mapped column is judged on the cells as read and on what
normalisation made of them, so the bar agrees with what will be stored:

* empty: the cell is blank;
* error: normalisation could not use the value (unknown county, party or method, a refused VUID,
  a date that is no date, a row of another county), or a blocking pre-check problem names the
  cell's column and row;
* repaired: the VUID was repaired (stored as a number, leading zeros restored);
* valid: everything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnout_desktop.domain.vuid import VUID_REPAIRED_FLOAT, VUID_REPAIRED_PADDING
from turnout_desktop.ingest.interpret.dates import parse_date_value
from turnout_desktop.ingest.interpret.layout import blank_mask
from turnout_desktop.ingest.interpret.model import Problem
from turnout_desktop.ingest.interpret.normalize import map_unique_array, normalize_vuid_array
from turnout_desktop.ingest.interpret.roster import take
from turnout_desktop.services.precheck import ReadSheet

QUALITY_FIELDS = ("vuid", "county", "party", "voting_method", "precinct", "vote_date")
REPAIRED_VUID_CODES = (VUID_REPAIRED_FLOAT, VUID_REPAIRED_PADDING)
# Fields whose normalised value (a ParsedUpload.rows column) is None when the cell could not be used.
NORMALISED_FIELDS = ("county", "party", "voting_method")


@dataclass(frozen=True, slots=True)
class ColumnQuality:
    """Power-Query-style profile of one mapped field (``column``: its header title in the file)."""

    field: str
    valid: int
    repaired: int
    error: int
    empty: int
    column: str = ""

    @property
    def total(self) -> int:
        return self.valid + self.repaired + self.error + self.empty


@dataclass(slots=True)
class _Tally:
    column: str
    valid: int = 0
    repaired: int = 0
    error: int = 0
    empty: int = 0


def _blocking_rows(problems: Iterable[Problem]) -> dict[tuple[str, str, str], np.ndarray]:
    """Spreadsheet rows of blocking problems, per (file, sheet, column title)."""
    found: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for problem in problems:
        if problem.blocking and problem.row is not None and problem.column is not None:
            found[(problem.file, problem.sheet or "", problem.column)].append(problem.row)
    return {where: np.asarray(rows, dtype=np.int64) for where, rows in found.items()}


def _field_states(field: str, cells: Sequence[object], normalised: pd.DataFrame,
                  county_option: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks (empty, error, repaired) of one field's cells; ``normalised`` holds the same rows."""
    empty = blank_mask([cells], len(cells))  # skips clean blocks without a Python call per cell
    repaired = np.zeros(len(cells), dtype=bool)
    if field == "vuid":
        vuids = normalize_vuid_array(cells)
        error = pd.isna(vuids.vuids)
        repaired = np.isin(vuids.codes.astype(str), REPAIRED_VUID_CODES)
    elif field in NORMALISED_FIELDS:
        values = normalised[field].to_numpy(dtype=object)
        error = pd.isna(values)
        if field == "county" and county_option is not None:
            error |= values != county_option  # a row of another county blocks the submit
    elif field == "vote_date":
        error = pd.isna(map_unique_array(cells, parse_date_value))
    else:
        error = np.zeros(len(cells), dtype=bool)
    return empty, error, repaired


def column_quality(read: Sequence[ReadSheet], rows: pd.DataFrame, problems: Sequence[Problem], *,
                   county_option: str | None = None) -> tuple[ColumnQuality, ...]:
    """Valid / repaired / error / empty per mapped column of a roster upload (none for a summary).

    Args:
        read: the sheets as read, with their detected layouts (the ones the upload was parsed with).
        rows: ``ParsedUpload.rows`` (all rows, before the GUI drops them).
        problems: the pre-check problems.
        county_option: the canonical county being submitted, when one was chosen.
    """
    if rows.empty:
        return ()
    blocking = _blocking_rows(problems)
    tallies: dict[str, _Tally] = {}
    row_files = rows["file"].to_numpy(dtype=object)
    row_sheets = rows["sheet"].fillna("").to_numpy(dtype=object)
    for item in read:
        layout = item.layout
        if layout is None or layout.kind != "roster":
            continue
        mine = rows[(row_files == item.file) & (row_sheets == item.sheet.name)]
        if mine.empty:
            continue
        row_numbers = mine["row_no"].to_numpy(dtype=np.int64)
        kept = item.sheet.row_numbers  # a text file's empty lines were dropped: map numbers back to indexes
        indexes = row_numbers - 1 if kept is None else np.searchsorted(kept, row_numbers)
        for field in QUALITY_FIELDS:
            if field not in layout.mapping:
                continue
            title = layout.titles[layout.mapping[field]]
            cells = take(item.sheet.columns[layout.mapping[field]], indexes)
            empty, error, repaired = _field_states(field, cells, mine, county_option)
            flagged = blocking.get((item.file, item.sheet.name, title))
            if flagged is not None:
                error = error | np.isin(row_numbers, flagged)
            error &= ~empty
            repaired &= ~empty & ~error
            tally = tallies.setdefault(field, _Tally(title))
            tally.empty += int(empty.sum())
            tally.error += int(error.sum())
            tally.repaired += int(repaired.sum())
            tally.valid += int(len(cells) - empty.sum() - error.sum() - repaired.sum())
    return tuple(ColumnQuality(name, t.valid, t.repaired, t.error, t.empty, t.column)
                 for name in QUALITY_FIELDS if (t := tallies.get(name)) is not None)
