"""Cells and shape shared by the workbook parsers: empty cells, NFC text, the row/column limits, rows to columns."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety
from turnout_desktop.ingest.readers.excel_fast import calamine_column
from turnout_desktop.ingest.readers.raw import gc_paused


def check_shape(n_rows: int, n_columns: int, file_name: str, sheet: str) -> None:
    """Refuse sheets beyond Excel's row limit or our column limit."""
    if n_columns > safety.MAX_COLUMNS:
        raise ImportRejected(f"the sheet has {n_columns} columns; the limit is {safety.MAX_COLUMNS}",
                             reason="too_many_columns", file=file_name, sheet=sheet)
    if n_rows > safety.MAX_SHEET_ROWS:
        raise ImportRejected(f"the sheet has {n_rows:,} rows; the limit is {safety.MAX_SHEET_ROWS:,}",
                             reason="too_many_rows", file=file_name, sheet=sheet)


def columns_from_rows(rows: Iterable[Sequence[object]], convert: Callable[[object], object]) -> list[list[object]]:
    """Transpose row-major cells into equal-length columns, converting each cell on the way."""
    with gc_paused():
        materialised = rows if isinstance(rows, list) else list(rows)
        width = max((len(row) for row in materialised), default=0)
        if width == 0:
            return []
        if any(len(row) != width for row in materialised):
            materialised = [list(row) + [None] * (width - len(row)) for row in materialised]
        if convert is calamine_cell:
            # Column-wide C-level passes: a Python step per cell costs more than the parse itself.
            return [calamine_column(column) for column in zip(*materialised, strict=True)]
        return [list(map(convert, column)) for column in zip(*materialised, strict=True)]


def calamine_cell(value: object) -> object:
    """calamine's '' is an empty cell; text is NFC-normalised; numbers, bools and dates stay as they are."""
    if value.__class__ is str:
        if not value:
            return None
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    return value


def plain_cell(value: object) -> object:
    """openpyxl/xlrd/odf cell: '' -> None, text NFC, a midnight datetime -> date (as calamine reports it)."""
    if isinstance(value, str):
        if not value:
            return None
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date()
    return value


def unchanged_cell(value: object) -> object:
    """A cell its parser already converted (xlrd, odfpy): kept as it is."""
    return value


def nfc_text(value: str) -> str:
    """NFC form of a sheet name."""
    return unicodedata.normalize("NFC", str(value))
