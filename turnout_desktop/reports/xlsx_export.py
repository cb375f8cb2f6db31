"""The report as an XLSX workbook: one sheet per section, frozen header row, sized columns.

Every text cell is escaped like the CSV (leading apostrophe before = + - @ TAB CR LF NUL) and
forced to string type (``data_type 's'``), because openpyxl turns any str beginning with ``=``
into a formula. Characters XML cannot carry (C0 controls, CR, U+FFFE/U+FFFF) are written in
Excel's own ``_xHHHH_`` notation, which Excel decodes when it opens the file; a literal
``_xHHHH_`` in the text has its underscore written as ``_x005F_`` so it survives unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from turnout_desktop.reports.model import Report, Table, report_tables
from turnout_desktop.reports.safe_io import BeforeReplace, atomic_write_bytes, escape_text_cell

_LITERAL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ENCODED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def encode_xlsx_text(text: str) -> str:
    """Escape against formulas, then make the text XML-safe in Excel's ``_xHHHH_`` notation."""
    escaped = escape_text_cell(text)
    escaped = _LITERAL_ESCAPE.sub(r"_x005F_\1", escaped)
    return _XML_UNSAFE.sub(lambda match: f"_x{ord(match.group(0)):04X}_", escaped)


def decode_xlsx_text(text: str) -> str:
    """What Excel shows for a cell written by ``encode_xlsx_text`` (still with its apostrophe)."""
    return _ENCODED.sub(lambda match: chr(int(match.group(1), 16)), text)


def _cell(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, int | float):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        return WriteOnlyCell(sheet, value=float(value))
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()  # as text, exactly as in the CSV
    cell = WriteOnlyCell(sheet, value=None)
    cell._value = encode_xlsx_text(str(value))  # noqa: SLF001 - bypass the setter that makes "=..." a formula
    cell.data_type = "s"
    return cell


def _width(value: object) -> int:
    return 0 if value is None else len(str(value))


def _write_sheet(workbook: Workbook, table: Table) -> None:
    sheet = workbook.create_sheet(title=table.name[:31])
    widths = [_width(name) for name in table.header]
    for row in table.rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], _width(value))
    for index, width in enumerate(widths, start=1):  # write-only sheets take dimensions before rows
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, name) for name in table.header])
    for row in table.rows:
        sheet.append([_cell(sheet, value) for value in row])


def tables_to_xlsx_bytes(tables: list[Table]) -> bytes:
    """Any list of sections as XLSX bytes (one sheet each), with the escaping described above."""
    workbook = Workbook(write_only=True)
    for table in tables:
        _write_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_report_xlsx(report: Report, path: Path, *, before_replace: BeforeReplace | None = None) -> str:
    """Write ``report`` to ``path`` atomically; returns the sha256 of the written file."""
    return atomic_write_bytes(path, tables_to_xlsx_bytes(report_tables(report)), before_replace=before_replace)
