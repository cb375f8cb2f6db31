"""Generators for hostile workbook shapes too big to commit (tests/corpus/README.md lists them).

Each writes a minimal xlsx package whose worksheet rows and cells carry no ``r=`` reference, so only
counting the tags tells where calamine would put its cells. Empty rows are padded with a little
deterministic noise so the zip member's compression ratio stays under ``safety.MAX_ZIP_RATIO`` (a
plainer file would be refused as a zip bomb before its shape is ever looked at). Used by
tests/ingest/readers/test_hostile_shapes.py and benchmarks/hostile_inputs.py.
"""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"
_BLOCK_ROWS = 4096          # one block of padded empty rows (~50 KB: beyond deflate's 32 KB window)
_NOISE = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def write_package(path: Path, sheet_parts: list[bytes] | None = None, *, rows_of_parts=None) -> Path:
    """Write an xlsx whose only worksheet is the concatenation of ``sheet_parts`` (or of an iterable)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK)
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_HEAD)
            for piece in sheet_parts if sheet_parts is not None else rows_of_parts:
                sheet.write(piece)
            sheet.write(_SHEET_TAIL)
    return path


def plain_row(values: list[object]) -> bytes:
    """One ``<row>`` of cells without ``r=`` (numbers as numbers, anything else as an inline string)."""
    cells = []
    for value in values:
        if isinstance(value, (int, float)):
            cells.append(f"<c><v>{value}</v></c>")
        else:
            cells.append(f'<c t="inlineStr"><is><t>{value}</t></is></c>')
    return ("<row>" + "".join(cells) + "</row>").encode()


def _padded_empty_rows(count: int, seed: int) -> list[bytes]:
    """``count`` empty ``<row></row>`` tags in blocks; every 8th carries a random 1-letter attribute."""
    rng = random.Random(seed)
    block = b"".join(b'<row x="%c"></row>' % rng.choice(_NOISE) if index % 8 == 0 else b"<row></row>"
                     for index in range(_BLOCK_ROWS))
    full, rest = divmod(count, _BLOCK_ROWS)
    pieces = [block] * full
    if rest:
        pieces.append(b"<row></row>" * rest)
    return pieces


def tall_sheet(path: Path, *, rows: int, width: int, seed: int = 1) -> Path:
    """A first row of ``width`` cells, ``rows - 2`` empty rows and a last row with one cell (no ``r=``).

    calamine's rectangle for it is ``rows x width`` cells: 20M x 256 asks for 163 GB, 2M x 256 for 16 GB.
    """
    first = plain_row(list(range(1, width + 1)))
    last = plain_row([1])

    def pieces():
        yield first
        yield from _padded_empty_rows(max(rows - 2, 0), seed)
        yield last

    return write_package(path, rows_of_parts=pieces())


def member_ratio(path: Path) -> float:
    """Uncompressed : compressed of the worksheet member (the zip-bomb check's measure)."""
    with zipfile.ZipFile(path) as package:
        info = package.getinfo("xl/worksheets/sheet1.xml")
    return info.file_size / max(info.compress_size, 1)
