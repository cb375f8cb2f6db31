"""Layout detection on one raw sheet: header row, banner rows above it, blank and footer rows.

Works on the column-major ``RawSheet`` of ``ingest.readers.raw`` (any object with ``name``, ``columns``
and ``n_rows``). Row indexes here are 0-based positions in the sheet; the spreadsheet's own row
number is index + 1 because the raw readers keep every sheet row, blank ones included, except the
empty lines of a text file (``DetectedLayout.row_number`` maps an index through the sheet's
``row_numbers`` then).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from turnout_desktop.domain.vuid import VUID_REDACTED, normalize_vuid
from turnout_desktop.ingest.interpret.mapping import COUNT_FIELDS, header_score, map_header
from turnout_desktop.ingest.interpret.normalize import scan_blocks
from turnout_desktop.ingest.readers.arrow_text import ArrowText, window

HEADER_SCAN_ROWS = 100
FOOTER_SCAN_ROWS = 12
_FOOTER = re.compile(r"^\s*(grand\s+)?totals?\b|^\s*no\s+(ballots|voters|records)\b|^\s*--\s*\d+\s+of\s+\d+\s*--|"
                     r"^\s*end\s+of\s+report\b|^\s*total\s+\w+", re.IGNORECASE)
_NUMBER = re.compile(r"\d[\d,]*")
_TEN_DIGITS = re.compile(r"^\d{10}(\.0+)?$")


class SheetLike(Protocol):
    """The part of ``ingest.readers.raw.RawSheet`` layout detection needs."""

    name: str
    columns: Sequence[Sequence[object]]

    @property
    def n_rows(self) -> int: ...


@dataclass(slots=True)
class FooterRow:
    """A total/placeholder row below the data: its index, its label and the number it carries."""

    index: int
    label: str
    number: int | None
    numbers: dict[int, int] = field(default_factory=dict)  # column index -> number, for summaries


@dataclass(slots=True)
class DetectedLayout:
    """Where the header and data of one sheet are and which column holds what."""

    header_index: int
    titles: list[str]
    mapping: dict[str, int]
    kind: str  # roster | summary
    data_indexes: np.ndarray  # row indexes holding data (banner, blank and footer rows excluded)
    blank_indexes: list[int]
    footers: list[FooterRow]
    header_from: str | None = None  # the sibling sheet whose header a headerless sheet was read with
    vuid_inferred: bool = False  # the VUID column has no title; its 10-digit values identified it
    row_numbers: np.ndarray | None = None  # the sheet's ``RawSheet.row_numbers`` (None: index + 1)

    @property
    def header_row(self) -> int:
        """The spreadsheet's own 1-based row number of the header (0: none, the header was borrowed)."""
        return 0 if self.header_from is not None else self.row_number(self.header_index)

    def row_number(self, index: int) -> int:
        """The file's own 1-based row number of the sheet's 0-based row ``index``."""
        return index + 1 if self.row_numbers is None else int(self.row_numbers[index])

    def row_numbers_of(self, indexes: np.ndarray) -> np.ndarray:
        """``row_number`` of each index, vectorised (int64)."""
        indexes = np.asarray(indexes, dtype=np.int64)
        return indexes + 1 if self.row_numbers is None else self.row_numbers[indexes]

    @property
    def title_rows_end(self) -> int:
        """Rows above this index are title (banner) rows: above the header, or above the data of a sheet
        whose header was borrowed (its ``header_index`` is the row before the data, not a header)."""
        return self.header_index + 1 if self.header_from is not None else self.header_index

    def mapping_titles(self) -> dict[str, str]:
        return {name: self.titles[index] for name, index in self.mapping.items()}


def is_empty_cell(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float)
                                                                               and value != value)


def row_cells(sheet: SheetLike, index: int) -> list[object]:
    return [column[index] if index < len(column) else None for column in sheet.columns]


MANY_BLANK_CANDIDATES = 4096  # above this many blank-row candidates, re-check whole columns vectorised


def blank_mask(columns: Sequence[Sequence[object]], n_rows: int) -> np.ndarray:
    """True for each row whose every cell is empty.

    Blank rows are rare, so the first column proposes candidates in one pass and the other
    columns only re-check those candidates (no per-row objects for a clean million-row sheet).
    """
    mask = np.zeros(n_rows, dtype=bool)
    if not columns:
        mask[:] = True
        return mask
    first = columns[0]
    candidates = _blank_candidates(first, min(len(first), n_rows))
    candidates.extend(range(len(first), n_rows))
    for column in columns[1:]:
        if not candidates:
            break
        size = len(column)
        if len(candidates) > MANY_BLANK_CANDIDATES:  # a file padded with blank lines: one pass per column
            column_blank = np.ones(max(n_rows, size), dtype=bool)
            column_blank[:min(size, n_rows)] = False
            column_blank[_blank_candidates(column, min(size, n_rows))] = True
            positions = np.asarray(candidates, dtype=np.int64)
            candidates = positions[column_blank[positions]].tolist()
            continue
        candidates = [i for i in candidates if i >= size or is_empty_cell(column[i])]
    mask[candidates] = True
    return mask


def _surely_filled(chunk: list[object]) -> bool:
    """True when no cell of ``chunk`` can be empty, decided without a Python call per cell.

    Only all-text and all-number chunks are decided here; False just means "look closer".
    """
    kinds = set(map(type, chunk))
    if kinds == {str}:
        return all(map(str.strip, chunk))  # type: ignore[arg-type]
    if kinds and kinds <= {float, int}:
        try:
            return not np.isnan(np.array(chunk, dtype=np.float64)).any()
        except OverflowError:  # an int too large for a float is not empty, but let the slow path say so
            return False
    return False


def _blank_candidates(column: Sequence[object], size: int) -> list[int]:
    """Positions below ``size`` whose cell is empty (None, blank text, NaN), in order.

    Clean blocks are skipped whole; only blocks holding an empty cell are read cell by cell.
    """
    found: list[int] = []

    def clean(start: int, stop: int) -> bool:
        return _surely_filled(list(column[start:stop]))

    def cell_by_cell(start: int, stop: int) -> None:
        found.extend(start + offset for offset, v in enumerate(column[start:stop])
                     if v is None or v == "" or (v.__class__ is str and v.isspace())
                     or (v.__class__ is float and v != v))

    start, stop = (column.offset, column.offset + len(column.arrow)) if isinstance(column, ArrowText) else (0, 0)
    start, stop = min(start, size), min(stop, size)
    if not isinstance(column, ArrowText) or stop - start <= 0:
        scan_blocks(size, clean, cell_by_cell)
        return found
    scan_blocks(start, clean, cell_by_cell)
    nulls, maybe = _arrow_blank_candidates(column, start, stop)
    checked = [offset for offset in maybe if is_empty_cell(column[start + offset])]
    found.extend((np.sort(np.concatenate([nulls, np.asarray(checked, dtype=np.int64)])) + start).tolist())
    scan_blocks(size - stop, clean, cell_by_cell, start=stop)
    return found


def _arrow_blank_candidates(column: ArrowText, start: int, stop: int) -> tuple[np.ndarray, list[int]]:
    """``(nulls, maybe)``: offsets from ``start`` of the cells in [start, stop) that are surely empty
    (null: a blank line costs no Python call) and of those that may be empty, from the Arrow mirror.

    A cell starting with a visible ASCII character is surely not empty; the few others (text starting
    with a space, control or non-ASCII character) are returned for the exact Python check.
    """
    import pyarrow.compute as pc

    mirror = window(column, start, stop)
    null = np.asarray(pc.is_null(mirror).to_numpy(zero_copy_only=False), dtype=bool)
    filled = np.asarray(pc.match_substring_regex(mirror, r"^[!-~]").fill_null(False)
                        .to_numpy(zero_copy_only=False), dtype=bool)
    return np.flatnonzero(null), np.flatnonzero(~filled & ~null).tolist()


def find_header(sheet: SheetLike, override: Mapping[str, str] | None = None) -> int | None:
    """Index of the header row among the first 100 rows: the best synonym match, first on ties.

    With an explicit mapping, the first row holding every overridden title is the header.
    """
    best_index, best_score = None, 0
    limit = min(sheet.n_rows, HEADER_SCAN_ROWS)
    for index in range(limit):
        cells = row_cells(sheet, index)
        if all(is_empty_cell(c) for c in cells):
            continue
        titles = [str(c).strip() if not is_empty_cell(c) else "" for c in cells]
        if override:
            try:
                map_header(titles, override)
            except Exception:  # noqa: BLE001 - this row simply is not the header
                continue
            return index
        score = header_score(titles)
        if score > best_score:
            best_index, best_score = index, score
    return best_index if best_score >= 2 else None


def _footer_numbers(cells: Sequence[object]) -> dict[int, int]:
    numbers: dict[int, int] = {}
    for index, cell in enumerate(cells):
        if isinstance(cell, bool) or cell is None:
            continue
        if isinstance(cell, int | float) and cell == cell:
            numbers[index] = int(cell)
        elif isinstance(cell, str) and (match := _NUMBER.search(cell)):
            numbers[index] = int(match.group(0).replace(",", ""))
    return numbers


def detect_layout(sheet: SheetLike, override: Mapping[str, str] | None = None,
                  header_index: int | None = None) -> DetectedLayout | None:
    """Detect the layout of a sheet, or None when no header is found in the first 100 rows."""
    if header_index is None:
        header_index = find_header(sheet, override)
    if header_index is None:
        return None
    titles = [str(c).strip() if not is_empty_cell(c) else "" for c in row_cells(sheet, header_index)]
    mapping = map_header(titles, override)
    inferred = None if "vuid" in mapping else untitled_vuid_column(sheet, header_index, titles, mapping)
    if inferred is not None:
        mapping["vuid"] = inferred
    kind = "roster" if "vuid" in mapping else "summary"
    if kind == "summary" and not (set(COUNT_FIELDS) | {"count"}) & set(mapping):
        return None
    layout = _layout_below(sheet, header_index, titles, mapping, kind)
    layout.vuid_inferred = inferred is not None
    return layout


def untitled_vuid_column(sheet: SheetLike, header_index: int, titles: Sequence[str],
                         mapping: Mapping[str, int]) -> int | None:
    """The untitled column holding VUIDs when a damaged header lost the VUID title, else None.

    Tarrant's P24 EV export has its first four titles blank (docs/data-formats.md 1.2) while its other titles
    still identify the header row. An untitled column qualifies when at least 80 % of its first 20
    filled cells below the header are exactly 10 digits (strict: no padding repair, so small count
    columns of a summary sheet never qualify) or redaction markers (``--Redacted--`` sits in VUID columns).
    """
    taken = set(mapping.values())
    for index, title in enumerate(titles):
        if title or index in taken or index >= len(sheet.columns):
            continue
        column = sheet.columns[index]
        below = column[header_index + 1:header_index + 1 + HEADER_SCAN_ROWS]
        sample = [v for v in below if not is_empty_cell(v)][:20]
        vuid_like = sum(_is_ten_digits(v) or normalize_vuid(v).code == VUID_REDACTED for v in sample)
        if sample and any(map(_is_ten_digits, sample)) and vuid_like * 5 >= len(sample) * 4:
            return index
    return None


def _is_ten_digits(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == value and 1_000_000_000 <= value < 10_000_000_000 and float(value).is_integer()
    return _TEN_DIGITS.match(str(value).strip()) is not None


def borrow_header(sheet: SheetLike, donor: DetectedLayout, donor_sheet: str) -> DetectedLayout | None:
    """The layout of a headerless roster sheet read with a sibling sheet's header, or None when it does not fit.

    One party sheet of a workbook can lack the header its sibling has (Travis P24: the REP sheet starts
    with voter rows). The donor's columns fit when, from the first row whose cell in the donor's VUID
    column is a VUID, at least 80 % of the next 20 filled cells of that column are VUIDs too. Rows above
    that first VUID row are banner rows. The returned ``header_index`` is the row before the data
    (``-1`` when the data starts on the first row): no row of this sheet is the header.
    """
    if donor.kind != "roster" or donor.mapping["vuid"] >= len(sheet.columns):
        return None
    column = sheet.columns[donor.mapping["vuid"]]
    limit = min(sheet.n_rows, HEADER_SCAN_ROWS)
    first = next((i for i in range(limit) if _is_vuid(column[i])), None)
    if first is None:
        return None
    sample = [v for v in column[first:first + 40] if not is_empty_cell(v)][:20]
    if sum(map(_is_vuid, sample)) * 5 < len(sample) * 4:
        return None
    width = len(sheet.columns)
    titles = [*donor.titles[:width], *[""] * (width - len(donor.titles))]
    mapping = {field: index for field, index in donor.mapping.items() if index < width}
    layout = _layout_below(sheet, first - 1, titles, mapping, "roster")
    layout.header_from = donor_sheet
    return layout


def _is_vuid(value: object) -> bool:
    return not is_empty_cell(value) and normalize_vuid(value, numeric_cell=isinstance(value, int | float)).ok


def _layout_below(sheet: SheetLike, header_index: int, titles: list[str], mapping: dict[str, int],
                  kind: str) -> DetectedLayout:
    """Data, blank and footer rows below ``header_index`` (-1: the sheet has no header row)."""
    n_rows = sheet.n_rows
    blanks = blank_mask(sheet.columns, n_rows)
    body = np.arange(header_index + 1, n_rows)
    body_blank = blanks[header_index + 1:]
    data = body[~body_blank]
    footers: list[FooterRow] = []
    # Footers sit at the end: scan the last few non-blank rows bottom-up until a data row appears.
    tail = data[-FOOTER_SCAN_ROWS:][::-1]
    cut = len(data)
    for index in tail.tolist():
        cells = row_cells(sheet, index)
        texts = [c for c in cells if isinstance(c, str) and c.strip()]
        label = next((t for t in texts if _FOOTER.match(t)), None)
        if label is None:
            break
        numbers = _footer_numbers(cells)
        number = next(iter(numbers.values()), None)
        footers.insert(0, FooterRow(index=index, label=label.strip(), number=number, numbers=numbers))
        cut -= 1
    return DetectedLayout(header_index=header_index, titles=titles, mapping=mapping, kind=kind,
                          data_indexes=data[:cut], blank_indexes=body[body_blank].tolist(), footers=footers,
                          row_numbers=getattr(sheet, "row_numbers", None))
