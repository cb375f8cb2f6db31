"""Raw, typed cells of every sheet of a county file: the layer below header detection.

This module is the model every reader builds; ``registry`` picks the reader for a file and calls it, so the
readers import this module and this module imports no reader (no cycle). ``registry.read_raw`` turns the bytes
of one uploaded file (xlsx/xlsm/xls/ods/csv/tsv/txt, or a zip of those) into ``RawWorkbook`` objects whose
sheets hold every row exactly as stored: text stays text (NFC), numbers stay numbers, dates stay dates, empty
cells are ``None``. Row index ``i`` is spreadsheet row ``i + 1``, except in a text file with empty lines:
those are dropped before the text is split (``blank_lines``) and ``RawSheet.row_numbers`` keeps each row's own
line number, so pre-check still reports the county's own row numbers. Every unsafe or unreadable input raises
``errors.ImportRejected`` (docs/reliability.md T1-T4); no other exception escapes ``read_raw``.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass
class RawSheet:
    """One sheet (or the single table of a csv), column-major.

    Attributes:
        name: sheet name; ``""`` for csv/tsv/txt.
        columns: ``columns[c][r]`` is the cell in column ``c`` of row ``r``; every column has the same
            length; row ``r`` is spreadsheet row ``r + 1`` (blank rows kept) unless ``row_numbers`` is set.
        hidden: True when the workbook marks the sheet hidden or very hidden.
        row_numbers: text files whose empty lines were dropped: the ascending 1-based line number of
            each row (``None``: row ``r`` is line ``r + 1``).
    """

    name: str
    columns: Sequence[Sequence[object]]  # lists, or Arrow-backed arrow_text.ArrowText columns
    hidden: bool = False
    row_numbers: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        """Number of rows (0 for a sheet without cells)."""
        return len(self.columns[0]) if self.columns else 0

    @property
    def n_columns(self) -> int:
        """Number of columns."""
        return len(self.columns)

    def row(self, index: int) -> list[object]:
        """Cells of the 0-based row ``index`` (spreadsheet row ``row_number(index)``)."""
        return [column[index] for column in self.columns]

    def row_number(self, index: int) -> int:
        """The file's own 1-based row number of the 0-based row ``index``."""
        return index + 1 if self.row_numbers is None else int(self.row_numbers[index])

    def index_of_row(self, number: int) -> int | None:
        """The 0-based index of the file's row ``number``, or None when that row was an empty line dropped."""
        if self.row_numbers is None:
            return number - 1 if 0 < number <= self.n_rows else None
        import numpy as np  # only text files with dropped empty lines carry row numbers

        position = int(np.searchsorted(self.row_numbers, number))
        found = position < len(self.row_numbers) and self.row_numbers[position] == number
        return position if found else None


@dataclass
class RawWorkbook:
    """Everything read from one file (or one zip member).

    Attributes:
        file_name: display name; a zip member is ``"archive.zip/member.csv"``.
        parser: ``calamine`` | ``openpyxl`` | ``xlrd`` | ``odf`` | ``csv``.
        encoding: csv family only: the encoding that decoded the text.
        sheets: sheets in workbook order.
        notes: informational remarks, e.g. ``"encoding fallback: cp1252"``.
        content: the exact bytes this workbook was read from (the member's bytes for zip members).
        mixed_encoding_rows: csv family only: 1-based lines that are not UTF-8 in a file that otherwise is.
    """

    file_name: str
    parser: str
    encoding: str | None
    sheets: list[RawSheet]
    notes: list[str] = field(default_factory=list)
    content: bytes = b""
    mixed_encoding_rows: list[int] = field(default_factory=list)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of cell objects are created.

    Building a million-row sheet allocates tens of millions of objects and triggers a collection
    every 700 of them; with collection paused the conversion is about ten times faster (measured).
    Nothing created here forms reference cycles, so nothing is leaked.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
