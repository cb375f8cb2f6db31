"""Builders of real county-style files (xlsx, xls, ods, csv, zip) and hostile ones, for the raw-reader tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import openpyxl
import xlsxwriter
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P


def xlsx_openpyxl(sheets: dict[str, Sequence[Sequence[object]]], hidden: Sequence[str] = ()) -> bytes:
    """An xlsx written by openpyxl; each value is written with its Python type."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_xlsxwriter(rows: Sequence[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    """An xlsx written by xlsxwriter (shared strings); str cells are forced to text cells."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    worksheet = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                worksheet.write_string(r, c, value)
            elif value is not None:
                worksheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def xls_xlwt(rows: Sequence[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    """A legacy .xls (BIFF8) written by xlwt."""
    workbook = xlwt.Workbook()
    worksheet = workbook.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                worksheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_odfpy(rows: Sequence[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    """An ods written by odfpy: str as string cells, numbers as float cells."""
    document = OpenDocumentSpreadsheet()
    table = Table(name=sheet)
    for row in rows:
        table_row = TableRow()
        for value in row:
            if value is None:
                cell = TableCell()
            elif isinstance(value, bool):
                cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive holding ``members``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def replace_zip_member(container: bytes, member: str, new_data: bytes) -> bytes:
    """Copy of an xlsx/ods container with one part replaced (used to plant XML bombs)."""
    source = zipfile.ZipFile(io.BytesIO(container))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = new_data if info.filename == member else source.read(info.filename)
            target.writestr(info.filename, data)
    return buffer.getvalue()


def billion_laughs(depth: int, root: str) -> bytes:
    """An XML document whose DTD nests ``depth`` levels of ten-fold entity expansion, used in ``root``."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, depth + 1):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return (f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{"".join(entities)}]>\n'
            f"{root.replace('BOMB', f'&lol{depth};')}").encode()


def quadratic_blowup(root: str) -> bytes:
    """One 50 KB entity referenced 2,000 times (no nesting: slips past naive depth limits)."""
    return (f'<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "{"a" * 50_000}">]>\n'
            f"{root.replace('BOMB', '&a;' * 2000)}").encode()


def external_entity(root: str) -> bytes:
    """An XML document pulling /etc/passwd through an external entity."""
    return (f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            f"{root.replace('BOMB', '&xxe;')}").encode()


SHEET_ROOT = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              '<row r="1"><c r="A1" t="inlineStr"><is><t>BOMB</t></is></c></row></sheetData></worksheet>')
SHARED_STRINGS_ROOT = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                       'uniqueCount="1"><si><t>BOMB</t></si></sst>')
