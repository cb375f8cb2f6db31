"""Sheets whose rows and cells carry no ``r=``: counted before calamine allocates.

The big shapes come from tests/corpus/hostile_shapes.py (generated here, too big to commit); each must be
refused by ``safety.check_sheet_extent`` before any reader runs - calamine would abort the process on
them. Small crafted parts pin ``sheet_positions.plain_cell_extent`` to what python-calamine really does.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import pytest

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety, sheet_positions
from turnout_desktop.ingest.readers.registry import read_raw

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
_spec = importlib.util.spec_from_file_location("hostile_shapes", CORPUS / "hostile_shapes.py")
hostile_shapes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile_shapes)


def _check(path: Path) -> ImportRejected:
    with zipfile.ZipFile(path) as archive, pytest.raises(ImportRejected) as caught:
        safety.check_sheet_extent(archive, path.name, "xlsx")
    return caught.value


@pytest.mark.parametrize(("rows", "width", "reason"), [
    (2_000_000, 256, "too_many_rows"),      # 16 GB for calamine on main
    (1_000_000, 40, "too_many_cells"),      # under Excel's row limit, 40M cells
    (900, 300, "too_many_columns"),
])
def test_tall_and_wide_sheets_without_references_are_refused(tmp_path, rows, width, reason):
    path = hostile_shapes.tall_sheet(tmp_path / "tall.xlsx", rows=rows, width=width)
    assert hostile_shapes.member_ratio(path) < safety.MAX_ZIP_RATIO
    rejection = _check(path)
    assert rejection.reason == reason
    assert "xl/worksheets/sheet1.xml" in str(rejection)
    with pytest.raises(ImportRejected) as through_reader:
        read_raw(path.read_bytes(), path.name)
    assert through_reader.value.reason == reason


@pytest.mark.slow
def test_twenty_million_empty_rows_are_refused_under_the_zip_ratio(tmp_path):
    path = hostile_shapes.tall_sheet(tmp_path / "empty_rows.xlsx", rows=20_000_000, width=256)
    assert path.stat().st_size < safety.MAX_SPREADSHEET_BYTES
    assert hostile_shapes.member_ratio(path) < safety.MAX_ZIP_RATIO
    assert _check(path).reason == "too_many_rows"


def test_a_sheet_without_references_is_read_cell_for_cell(tmp_path):
    rows = [["VUID", "Last Name", "Count"], ["1000000001", "PEÑA", 3], [], ["1000000002", "O'NEIL", 4]]
    path = hostile_shapes.write_package(tmp_path / "plain.xlsx", [hostile_shapes.plain_row(r) for r in rows])
    sheet = read_raw(path.read_bytes(), path.name)[0].sheets[0]
    assert [sheet.row(index) for index in range(sheet.n_rows)] == [
        ["VUID", "Last Name", "Count"], ["1000000001", "PEÑA", 3], [None, None, None],
        ["1000000002", "O'NEIL", 4]]


CRAFTED = {
    "plain": b"<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>",
    "rows_numbered_cells_plain": b'<row r="5"><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>',
    "self_closing_rows": b"<row/><row/><row r=\"7\"/><row><c><v>1</v></c><c/><c><v>2</v></c></row>",
    "explicit_then_plain_cell": b'<row><c r="D1"><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>',
    "comments_and_cdata": b'<row><c t="inlineStr"><is><t><![CDATA[</row><row r="900">]]></t></is></c>'
                          b"<!-- <row r=\"1\"> --><c><v>2</v></c></row><row><c><v>5</v></c></row>",
    "spaced_attributes": b"<row r = '3' ><c ><v>1</v></c><c\n><v>2</v></c></row>",
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_replay_matches_what_calamine_reads(tmp_path, name):
    from python_calamine import CalamineWorkbook

    path = hostile_shapes.write_package(tmp_path / f"{name}.xlsx", [CRAFTED[name]])
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as handle:
        last_row, last_column = sheet_positions.plain_cell_extent(handle, window_bytes=64)
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    filled = [(r, c) for r, row in enumerate(values, 1) for c, cell in enumerate(row, 1) if cell != ""]
    assert (last_row, last_column) == (max(r for r, _ in filled), max(c for _, c in filled))


def test_prefixed_tags_are_counted(tmp_path):
    part = (b'<?xml version="1.0"?><x:worksheet xmlns:x="urn:x"><x:sheetData>'
            + b"<x:row><x:c><x:v>1</x:v></x:c></x:row>" * 5 + b"<x:row>" + b"<x:c/>" * 9
            + b"</x:row></x:sheetData></x:worksheet>")
    assert sheet_positions.plain_cell_extent(io.BytesIO(part), window_bytes=50) == (6, 9)


@pytest.mark.parametrize("body", [
    b"<row><c><row></row></c></row>",        # a row end inside a cell: calamine would not count it
    b"<row><c><v>1</v></row>",               # not well-formed
    b'<row><c t="a>b"><v>1</v></c></row>',   # a quoted ">" would cut the tag short for the scan
])
def test_shapes_the_replay_cannot_vouch_for_are_refused(tmp_path, body):
    path = hostile_shapes.write_package(tmp_path / "odd.xlsx", [body])
    rejection = _check(path)
    assert rejection.reason == "unreadable"


def test_sheets_spreadsheet_programs_write_skip_the_replay():
    screen = sheet_positions.PlainCellScreen()
    part = b'<sheetData><row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"/></row></sheetData>'
    for start in range(0, len(part), 7):
        screen(part[max(start - 7, 0):start], part[start:start + 7])
    assert not screen.found
    screen(b"", b"<c><v>1</v></c>")
    assert screen.found
