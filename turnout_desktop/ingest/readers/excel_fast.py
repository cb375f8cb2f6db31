"""Fast xlsx reading through fastexcel's Arrow path, used only where it provably keeps every cell's type.

fastexcel (calamine underneath, like python-calamine) parses a sheet about 1.5x faster than
python-calamine's ``get_sheet_by_name`` and hands over whole Arrow columns instead of one Python object
per cell. Its weakness is one dtype per column: in its default ``coerce`` mode a column holding text and
numbers turns ``5`` into ``"5"``. With ``dtype_coercion="strict"`` and every row sampled, fastexcel
refuses such a column instead, so a successful load means every column is homogeneous and each cell
keeps its own type. String, float, bool and empty columns are taken as they are, timestamp columns
only when every value is a whole day from 1900-03-01 on (as ``date``, like python-calamine); anything
else returns ``None`` and the caller reads the workbook with python-calamine as before.

Banner and header rows make every typed column mixed, so ``plan_heads`` looks at the first
``SAMPLE_BYTES`` of each worksheet's XML and cuts it after the last row whose cell kinds disagree with
the rows below; python-calamine reads those head rows from a small copy of the workbook and fastexcel
the rest (``skip_rows``). ``looks_all_text`` spots text-only sheets, which need no head. The sample only
decides what to try; correctness comes from the strict load. Used by ``excel_reader``; no Qt, no database.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from typing import Any

from turnout_desktop.ingest.readers.arrow_text import ArrowArray, ArrowText
from turnout_desktop.ingest.readers.raw import RawSheet, gc_paused

SAMPLE_BYTES = 1024 * 1024
# Arrow types whose Python values equal python-calamine's for the same cells (xlsx numbers are floats).
_EXACT_TYPES = ("string", "large_string", "double", "bool", "null")
_FIRST_SAFE_DATE = dt.date(1900, 3, 1)
_SHEET_DATA = re.compile(rb"<sheetData\s*(/?)>")
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>(.*?)</row>)", re.DOTALL)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_CELL_COLUMN = re.compile(rb'\br="([A-Za-z]+)\d+"')
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')
_CELL_STYLE = re.compile(rb'\bs="(\d+)"')


def looks_all_text(archive: zipfile.ZipFile, worksheet_parts: set[str]) -> bool:
    """True when the first ``SAMPLE_BYTES`` of every worksheet hold no number, bool, error or date cell.

    A value element (``<v>``) belongs to a text cell only for shared strings (``t="s"``) and formula
    text (``t="str"``); inline strings carry no ``<v>``. Any other ``<v>`` is a typed cell.

    Args:
        archive: the opened (already bomb-checked) xlsx container.
        worksheet_parts: the worksheet part names (``sheet_extent.xlsx_worksheet_parts``).
    """
    for part in worksheet_parts:
        with archive.open(part) as handle:
            sample = handle.read(SAMPLE_BYTES)
        values = sample.count(b"<v>") + sample.count(b"<v ")
        text_values = sample.count(b't="s"') + sample.count(b't="str"')
        if values > text_values or b":v>" in sample:  # prefixed <x:v>: an unusual writer, take the sure path
            return False
    return True


def read_fastexcel_strict(data: bytes, sheet_names: list[str], heads: dict[str, bytes] | None = None,
                          ) -> list[RawSheet] | None:
    """Every sheet through fastexcel, or ``None`` when some column is mixed or of a type not taken here.

    Args:
        data: the xlsx bytes (already through the safety checks, including the sheet extent).
        sheet_names: the sheet names in workbook order as python-calamine reports them (a mismatch
            means the two libraries disagree about the workbook: ``None``).
        heads: from ``plan_heads``: worksheet parts cut after their banner/header rows. Those rows are
            read by python-calamine from a copy of the workbook holding only them; fastexcel reads the
            rows after them, where each column must hold one type.

    Returns:
        Sheets with ``hidden`` left False (the caller knows visibility), or ``None``.
    """
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        if list(reader.sheet_names) != sheet_names:
            return None
        head_rows = _head_rows(data, heads, sheet_names) if heads else [[] for _ in sheet_names]
        if head_rows is None:
            return None
        sheets: list[RawSheet] = []
        for index, name in enumerate(sheet_names):
            columns = _strict_columns(reader, index, len(head_rows[index]))
            if columns is None:
                return None
            sheets.append(RawSheet(name, _stack(head_rows[index], columns)))
        return sheets
    except BaseException as error:  # pyo3 PanicException derives from BaseException
        if isinstance(error, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        return None  # any fastexcel refusal (mixed column, odd file) means: read with python-calamine


def _strict_columns(reader: Any, index: int, skip: int) -> list[Sequence[object]] | None:  # a fastexcel reader
    """Columns of one sheet from column A and row ``skip + 1`` (blank columns and rows kept), or ``None``."""
    sheet = reader.load_sheet(index, header_row=None, skip_rows=skip, schema_sample_rows=None,
                              dtype_coercion="strict")
    if sheet.width == 0 or sheet.height == 0:
        return []
    infos = sheet.available_columns()
    table = sheet.to_arrow()
    n_rows = table.num_rows
    first = infos[0].absolute_index
    if [info.absolute_index for info in infos] != list(range(first, first + len(infos))):
        return None  # fastexcel skipped a column in the middle: layouts would shift
    with gc_paused():
        columns: list[Sequence[object]] = [[None] * n_rows for _ in range(first)]
        for position in range(table.num_columns):
            column = table.column(position)
            converted = _python_column(column, str(column.type))
            if converted is None:
                return None
            columns.append(converted)
    return columns


def _stack(head: list[list[object]], body: list[Sequence[object]]) -> list[Sequence[object]]:
    """Head rows (python-calamine, row-major) above body columns (fastexcel), padded to one width."""
    if not head:
        return body
    width = max(len(body), max(map(len, head)))
    body_rows = len(body[0]) if body else 0
    columns: list[Sequence[object]] = []
    for position in range(width):
        column = calamine_column([row[position] if position < len(row) else "" for row in head])
        below = body[position] if position < len(body) else [None] * body_rows
        if isinstance(below, ArrowText) and not below.before and not below.after:
            columns.append(ArrowText(below.arrow, column))  # the body stays Arrow-backed below the head
        else:
            column.extend(below)
            columns.append(column)
    return columns


def _python_column(column: ArrowArray, type_name: str) -> Sequence[object] | None:
    """One Arrow column as Python cells: ``""`` -> None, non-ASCII text in NFC, decided per column."""
    import pyarrow.compute as pc

    if type_name == "null":
        return [None] * len(column)
    if type_name.startswith("timestamp"):
        return _dates_only(column)
    if type_name not in _EXACT_TYPES:
        return None
    if type_name not in ("string", "large_string"):
        return column.to_pylist()
    if pc.any(pc.equal(column, "")).as_py():
        column = pc.if_else(pc.equal(column, ""), None, column)
    if pc.all(pc.string_is_ascii(column.fill_null(""))).as_py():
        return ArrowText(column)  # ASCII text needs no NFC: the Arrow array holds the cells as they are
    values = column.to_pylist()
    nfc = unicodedata.normalize
    return [value if value is None or value.isascii() else nfc("NFC", value) for value in values]


def calamine_column(cells: Sequence[object]) -> list[object]:
    """One column of python-calamine cells as RawSheet cells, with C-level passes instead of a per-cell loop.

    calamine's ``""`` is an empty cell (-> None); text is NFC-normalised; numbers, bools and dates stay.
    The whole column is tested at once (``"".join`` + ``isascii``, ``list.count``); only a column that
    really holds non-ASCII text or many empty cells is converted cell by cell.
    """
    values = list(cells)
    if _has_non_ascii_text(values):
        nfc = unicodedata.normalize
        values = [value if value.__class__ is not str or value.isascii() else nfc("NFC", value)
                  for value in values]
    empties = values.count("")
    if empties == 0:
        return values
    if empties * 8 > len(values):
        return [None if value == "" else value for value in values]
    position = -1
    for _ in range(empties):
        position = values.index("", position + 1)
        values[position] = None
    return values


def _has_non_ascii_text(values: list[object]) -> bool:
    """True when some ``str`` cell of the column holds a non-ASCII character."""
    try:
        return not "".join(values).isascii()  # type: ignore[arg-type]  # TypeError below when not all str
    except TypeError:  # numbers or dates among the text: join only the text cells
        return not "".join(value for value in values if isinstance(value, str)).isascii()


def _dates_only(column: ArrowArray) -> list[object] | None:
    """A timestamp column as ``date`` cells, as python-calamine gives whole-day values; else ``None``.

    Times of day are left to python-calamine: its rounding of fractional days is its own (fastexcel
    keeps milliseconds), and dates before 1900-03-01 meet Excel's 1900 leap-year quirk.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    days = pc.cast(column, pa.date32(), safe=False)
    if not pc.all(pc.equal(pc.cast(days, column.type), column)).as_py():
        return None
    earliest = pc.min(days).as_py()
    if earliest is not None and earliest < _FIRST_SAFE_DATE:
        return None
    # A roster holds few distinct days: build each date object once (to_pylist per cell costs ~0.8 s/1M).
    import numpy as np

    encoded = pc.dictionary_encode(days.combine_chunks() if hasattr(days, "combine_chunks") else days)
    distinct = encoded.dictionary.to_pylist()
    lookup = np.empty(len(distinct) + 1, dtype=object)
    lookup[: len(distinct)] = distinct
    lookup[len(distinct)] = None
    return lookup[encoded.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False)].tolist()


def plan_heads(archive: zipfile.ZipFile, worksheet_parts: set[str]) -> dict[str, bytes] | None:
    """Each worksheet part cut after its last "head" row, or ``None`` when a sample cannot be read so.

    The head ends at the last row of the first ``SAMPLE_BYTES`` whose cells disagree in kind (text,
    bool, error, ISO date, number of a given style) with the rows below it in the same column: the
    banner and header rows above a typed data region. Only a guess: fastexcel's strict load of the
    rows below decides.

    Args:
        archive: the opened (already bomb-checked) xlsx container.
        worksheet_parts: the worksheet part names.
    """
    heads: dict[str, bytes] = {}
    for part in worksheet_parts:
        with archive.open(part) as handle:
            sample = handle.read(SAMPLE_BYTES)
        opening = _SHEET_DATA.search(sample)
        if opening is None:
            return None
        if opening.group(1):  # <sheetData/>: an empty sheet; keep the small part as it is
            if archive.getinfo(part).file_size > SAMPLE_BYTES:
                return None
            heads[part] = sample
            continue
        end = _head_end(sample, opening.end())
        if end is None:
            return None
        heads[part] = sample[:end] + b"</sheetData></worksheet>"
    return heads


def _head_end(sample: bytes, start: int) -> int | None:
    """Byte offset just after the last head row (``start`` when there is none)."""
    rows = list(_ROW.finditer(sample, start))
    kinds: dict[bytes, bytes] = {}
    for row in reversed(rows):
        for cell in _CELL.finditer(row.group(1) or b""):
            attributes, body = cell.group(1), cell.group(2) or b""
            if b"<v" not in body and b"<is" not in body:
                continue
            reference = _CELL_COLUMN.search(attributes)
            if reference is None:
                return None  # positional cells (no r=): no column to compare
            type_match = _CELL_TYPE.search(attributes)
            kind = type_match.group(1) if type_match else b"n"
            if kind in (b"s", b"str", b"inlineStr"):
                kind = b"text"
            elif kind == b"n":
                style = _CELL_STYLE.search(attributes)
                kind = b"n" + (style.group(1) if style else b"0")
            if kinds.setdefault(reference.group(1), kind) != kind:
                return row.end()
    return start


def _head_rows(data: bytes, heads: dict[str, bytes], sheet_names: list[str]) -> list[list[list[object]]] | None:
    """The head rows of every sheet, read by python-calamine from a copy of the workbook holding only them."""
    import python_calamine as calamine

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            if info.filename in heads:
                target.writestr(info.filename, heads[info.filename])
            else:
                target.writestr(info.filename, source.read(info))
    workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
    if [sheet.name for sheet in workbook.sheets_metadata] != sheet_names:
        return None
    head_rows: list[list[list[Any]]] = []  # python-calamine cells
    for name in sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        head_rows.append(list(sheet.to_python(skip_empty_area=False)) if sheet.end else [])
    return head_rows
