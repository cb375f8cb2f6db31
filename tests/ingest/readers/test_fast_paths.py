"""Fast raw-reader paths (fastexcel strict xlsx, pyarrow csv, cheap extent scan) give exactly the slow paths' cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ingest.readers.raw_builders import replace_zip_member, xlsx_openpyxl, xlsx_xlsxwriter
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import excel_fast, sheet_extent, text_fast
from turnout_desktop.ingest.readers.excel_reader import read_calamine
from turnout_desktop.ingest.readers.registry import read_raw
from turnout_desktop.ingest.readers.text_reader import clean_text, parse_rows, rows_to_columns

DECOMPOSED = unicodedata.normalize("NFD", "PEÑA, JOSÉ")
TEXT_ROWS = [[], ["Travis County Roster"], [None, "VUID", "Name", "PCT"], [None, "0123456789", DECOMPOSED, "0070"],
             [None, "2000000001", "", "128.01"], [], [None, None, None, "Total"]]


def _cells(sheet):
    return [sheet.row(index) for index in range(sheet.n_rows)]


def _fast_sheets(data: bytes) -> list:
    names = [sheet.name for sheet in read_calamine(data, "x.xlsx")]
    return excel_fast.read_fastexcel_strict(data, names)


def test_all_text_xlsx_takes_the_fast_path_and_matches_python_calamine():
    data = xlsx_openpyxl({"Dem": TEXT_ROWS, "Rep": [["VUID"], ["0000000007"]], "Blank": []}, hidden=["Rep"])
    fast = _fast_sheets(data)
    assert fast is not None  # the fast path really ran for this workbook
    [workbook] = read_raw(data, "roster.xlsx")
    slow = read_calamine(data, "roster.xlsx")
    assert workbook.parser == "calamine"
    assert [(s.name, s.hidden, _cells(s)) for s in workbook.sheets] == [(s.name, s.hidden, _cells(s)) for s in slow]
    dem = workbook.sheets[0]
    assert _cells(dem) == [
        [None, None, None, None],
        ["Travis County Roster", None, None, None],
        [None, "VUID", "Name", "PCT"],
        [None, "0123456789", "PEÑA, JOSÉ", "0070"],
        [None, "2000000001", None, "128.01"],
        [None, None, None, None],
        [None, None, None, "Total"],
    ]
    assert dem.columns[2][3] == unicodedata.normalize("NFC", DECOMPOSED)
    assert [(s.name, s.hidden, s.n_rows) for s in workbook.sheets] == [("Dem", False, 7), ("Rep", True, 2),
                                                                        ("Blank", False, 0)]


def test_unusual_strings_and_error_cells_match_python_calamine():
    data = xlsx_xlsxwriter([["A"], ["B"], ["C"], ["D"], ["E"], ["F"]])
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">'
              '<si><t>line_x000D_break</t></si><si><r><t>rich</t></r><r><rPr><b/></rPr><t xml:space="preserve"> '
              'text </t></r></si><si><t>base</t><rPh sb="0" eb="1"><t>PHON</t></rPh></si><si><t xml:space='
              '"preserve">  padded  </t></si><si><t></t></si><si><t>tab&#9;x&#10;y</t></si></sst>')
    data = replace_zip_member(data, "xl/sharedStrings.xml", shared.encode())
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").replace(b"</sheetData>", (
        b'<row r="7"><c r="A7" t="e"><v>#DIV/0!</v></c></row><row r="8"><c r="A8" t="str"><f>"x"</f>'
        b'<v>formula text</v></c></row><row r="9"><c r="A9" t="inlineStr"><is><t>inl_x0041_</t></is></c></row>'
        b"</sheetData>"))
    data = replace_zip_member(data, "xl/worksheets/sheet1.xml", sheet_xml)
    expected = [["line\rbreak", "rich text ", "base", "  padded  ", None, "tab\tx\ny", None, "formula text", "inlA"]]
    [fast] = excel_fast.read_fastexcel_strict(data, ["Sheet1"])
    assert fast.columns == expected == read_calamine(data, "x.xlsx")[0].columns


def test_numbers_only_sheet_is_exact_through_the_fast_path():
    data = xlsx_xlsxwriter([[1, 2.5], [3, None], [True, 4]])
    fast = _fast_sheets(data)
    slow = read_calamine(data, "n.xlsx")
    assert fast is None or _cells(fast[0]) == _cells(slow[0])  # bool next to numbers: strict refuses
    data = xlsx_xlsxwriter([[1, 2.5], [3, None], [7, 4]])
    [sheet] = _fast_sheets(data)
    assert _cells(sheet) == [[1.0, 2.5], [3.0, None], [7.0, 4.0]] == _cells(read_calamine(data, "n.xlsx")[0])
    assert type(sheet.columns[0][0]) is float


def test_text_header_over_numbers_and_dates_keeps_every_cell_type():
    rows = [["VUID", "Voted"], [1234567890, dt.date(2026, 3, 1)], ["0123456789", dt.datetime(2026, 3, 2, 9, 30)]]
    data = xlsx_openpyxl({"S": rows})
    assert excel_fast.read_fastexcel_strict(data, ["S"]) is None  # mixed columns are refused, not coerced
    [workbook] = read_raw(data, "m.xlsx")
    assert _cells(workbook.sheets[0]) == [["VUID", "Voted"], [1234567890.0, dt.date(2026, 3, 1)],
                                          ["0123456789", dt.datetime(2026, 3, 2, 9, 30)]]
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert excel_fast.looks_all_text(archive, sheet_extent.xlsx_worksheet_parts(archive)) is False


def test_a_number_after_the_sampled_text_still_keeps_its_type():
    rows = [["VUID", "Name"]] + [[f"{i:010d}", f"NAME {i}"] for i in range(40_000)] + [[5, "LAST"]]
    data = xlsx_xlsxwriter(rows)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert excel_fast.looks_all_text(archive, sheet_extent.xlsx_worksheet_parts(archive)) is True
    [workbook] = read_raw(data, "late.xlsx")
    column = workbook.sheets[0].columns[0]
    assert (column[1], column[40_000], column[40_001]) == ("0000000000", "0000039999", 5.0)
    assert type(column[40_001]) is float


@pytest.mark.parametrize("reference", ["&#73;V1048576", "$IV$1048576", " IV1048576", "&#x49;V1048576"])
def test_fastexcel_refuses_the_references_python_calamine_refuses(reference: str):
    # Run in a child with a 3 GB address-space cap: were fastexcel to accept the far reference, its
    # calamine would abort on the allocation and only the child would die.
    script = (
        "import io, resource, sys, zipfile\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))\n"
        "from tests.ingest.readers.raw_builders import replace_zip_member, xlsx_xlsxwriter\n"
        "from turnout_desktop.ingest.readers import excel_fast\n"
        "data = xlsx_xlsxwriter([['VUID'], ['0000000001']])\n"
        "part = zipfile.ZipFile(io.BytesIO(data)).read('xl/worksheets/sheet1.xml')\n"
        "part = part.replace(b'r=\"A2\"', ('r=\"' + sys.argv[1] + '\"').encode())\n"
        "data = replace_zip_member(data, 'xl/worksheets/sheet1.xml', part)\n"
        "print(excel_fast.read_fastexcel_strict(data, ['Sheet1']))\n")
    result = subprocess.run([sys.executable, "-c", script, reference], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[3])
    assert (result.returncode, result.stdout.strip()) == (0, "None"), result.stderr[-500:]


def test_calamine_column_conversion():
    day = dt.date(2026, 3, 3)
    assert excel_fast.calamine_column(("a", "", 1.0, day, DECOMPOSED, True)) == [
        "a", None, 1.0, day, unicodedata.normalize("NFC", DECOMPOSED), True]
    assert excel_fast.calamine_column(["", "", "x", ""]) == [None, None, "x", None]      # many empties
    few = ["v"] * 20 + [""] + ["w"] * 20 + [""]
    assert excel_fast.calamine_column(few) == ["v"] * 20 + [None] + ["w"] * 20 + [None]  # index walk
    assert excel_fast.calamine_column((2.0, 3.0)) == [2.0, 3.0]


def _python_columns(text: str, delimiter: str) -> list[list[object]]:
    return rows_to_columns(parse_rows(text, delimiter, "x.csv"))


@pytest.mark.parametrize(("text", "delimiter", "fast"), [
    ("Early Vote Roster\n\nVUID,Name,PCT\n0001,A,0070\n0002,,0071\nTotal: 2", ",", True),
    ("VUID;Name\n0001;\"PEÑA; JOSÉ\"\n0002;\"SAID \"\"HI\"\"\nTHERE\"\n\"\";x", ";", True),
    ("VUID\tName\n0001\tA\tEXTRA\tMORE\n0002\tB", "\t", True),
    ("VUID,Name\n0001,AB\"C\n0002,D", ",", False),          # stray quote: Python's lenient reading decides
    ("VUID,Name\n0001,\"AB\"C\n0002,D", ",", False),        # text after a closing quote
    ("VUID,Name\n0001, \"AB\"\n0002,D", ",", False),        # quote after a space
    ("Title\nVUID,Name\n0001,\"A\nB\"\n", ",", False),      # ragged rows and quoted line breaks together
])
def test_pyarrow_csv_path_equals_python_csv(text: str, delimiter: str, fast: bool):
    text = clean_text(text)
    columns = text_fast.parse_columns(text, delimiter, 5_000_000, 256)
    assert (columns is not None) == fast
    if fast:
        assert columns == _python_columns(text, delimiter)
    [workbook] = read_raw(text.encode(), "x.csv")
    sheet, expected = workbook.sheets[0], _python_columns(text, delimiter)
    # read_raw drops empty lines (ingest/readers/blank_lines.py); every other row is Python's, at its own line number.
    kept = range(len(expected[0])) if sheet.row_numbers is None else (sheet.row_numbers - 1).tolist()
    assert sheet.columns == [[column[index] for index in kept] for column in expected]


def test_pyarrow_csv_path_leaves_limits_to_the_python_reader():
    assert text_fast.parse_columns("a,b\n1,2\n3,4", ",", 2, 256) is None                 # 3 rows > 2
    assert text_fast.parse_columns(",".join("x" * 10) + "\n1", ",", 10, 5) is None        # 10 columns > 5
    long_field = "a,b\n1," + "x" * (csv.field_size_limit() + 1)
    assert text_fast.parse_columns(long_field, ",", 10, 256) is None
    with pytest.raises(ImportRejected) as caught:
        read_raw(long_field.encode(), "x.csv")
    assert caught.value.reason == "malformed_csv"


FIELD = st.text(alphabet=st.sampled_from(list('ab ,;"\n\t0é')), max_size=6)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(FIELD, min_size=1, max_size=4), min_size=1, max_size=8), st.sampled_from([",", ";", "\t"]))
def test_pyarrow_csv_path_never_differs_from_python_csv(rows: list[list[str]], delimiter: str):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    text = clean_text(buffer.getvalue())
    if not text.strip():
        return
    columns = text_fast.parse_columns(text, delimiter, 5_000_000, 256)
    if columns is not None:
        assert columns == _python_columns(text, delimiter)


def test_cheap_extent_screen_finds_every_spelling():
    assert sheet_extent._needs_loose_scan(b'<c r="A1" t="s">') is False
    for loose in (b'<c r ="A1">', b'<c r\t="A1">', b'<c r\n="A1">', b'<c r\r="A1">', b"<c r='A1'>", b'<c r=',
                  b'<c r= "A1">'):
        assert sheet_extent._needs_loose_scan(loose) is True, loose
    for reference, expected in [(b"ABCD1", (1, 19_010)), (b"IV2", (2, 256)),
                                (b"A1048577", (1_048_577, 26)), (b"B12", (999_999, 26))]:
        part = b'<sheetData><row r="1"><c r="A1"/><c r="' + reference + b'"/></row></sheetData>'
        assert sheet_extent.xlsx_extent(io.BytesIO(part), 32 * 1024 * 1024) == expected, reference


def test_far_reference_in_a_later_chunk_is_found(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sheet_extent, "CHUNK_BYTES", 4096)
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
                    for i in range(1, 400))
    part = b"<sheetData>" + rows + b'<row r="400"><c r="IV1048576"/></row></sheetData>'
    assert sheet_extent.xlsx_extent(io.BytesIO(part), 32 * 1024 * 1024) == (1_048_576, 256)
    data = xlsx_xlsxwriter([["VUID"], ["0000000001"]])
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    hostile = replace_zip_member(data, "xl/worksheets/sheet1.xml", sheet_xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="IV1048576" t="inlineStr"><is><t>y</t></is></c></row></sheetData>'))
    with pytest.raises(ImportRejected) as caught:
        read_raw(hostile, "far.xlsx")
    assert caught.value.reason == "too_many_cells"


def _fast_with_heads(data: bytes) -> list | None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    heads = excel_fast.plan_heads(archive, sheet_extent.xlsx_worksheet_parts(archive))
    assert heads is not None
    return excel_fast.read_fastexcel_strict(data, [s.name for s in read_calamine(data, "x.xlsx")], heads)


TYPED_ROWS = [["Travis County Early Vote Roster"], ["03.01.2026"], [],
              [None, "VUID", "Name", "Voted", "Count", "Flag"],
              [None, 1234567890, "PEÑA", dt.date(2026, 3, 1), 2.5, True],
              [None, 1234567891, None, dt.datetime(2026, 3, 2), 3, False],
              [None, 1234567892, "SMITH", None, None, None]]


def test_banner_and_header_over_typed_columns_take_the_fast_path_exactly():
    data = xlsx_openpyxl({"Dem": TYPED_ROWS, "Text": [["VUID"], ["0001"]], "Empty": []}, hidden=["Text"])
    fast = _fast_with_heads(data)
    assert fast is not None  # head rows by python-calamine, the typed rows below by fastexcel
    [workbook] = read_raw(data, "typed.xlsx")
    slow = read_calamine(data, "typed.xlsx")
    assert [(s.name, s.hidden, _cells(s)) for s in workbook.sheets] == [(s.name, s.hidden, _cells(s)) for s in slow]
    assert [_cells(s) for s in fast] == [_cells(s) for s in slow]
    dem = workbook.sheets[0]
    assert dem.row(4) == [None, 1234567890.0, "PEÑA", dt.date(2026, 3, 1), 2.5, True]
    assert dem.row(5) == [None, 1234567891.0, None, dt.date(2026, 3, 2), 3.0, False]
    assert dem.row(2) == [None] * 6 and dem.row(0)[0] == "Travis County Early Vote Roster"
    assert type(dem.columns[3][4]) is dt.date and type(dem.columns[1][6]) is float


@pytest.mark.parametrize("late_value", ["Total: 3", dt.datetime(2026, 3, 3, 10, 30), dt.date(1900, 1, 15)])
def test_what_fastexcel_cannot_give_exactly_goes_to_python_calamine(late_value: object,
                                                                     monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(excel_fast, "SAMPLE_BYTES", 4096)  # the odd last row lies beyond the sample
    rows = [["VUID", "Voted"]] + [[1000000000 + i, dt.date(2026, 3, 1)] for i in range(100)] + [[5, late_value]]
    data = xlsx_openpyxl({"S": rows})
    assert _fast_with_heads(data) is None  # mixed column, a time of day, a date in Excel's 1900 quirk range
    [workbook] = read_raw(data, "late.xlsx")
    assert _cells(workbook.sheets[0]) == _cells(read_calamine(data, "late.xlsx")[0])
    assert workbook.sheets[0].row(101) == [5.0, late_value]
    assert workbook.sheets[0].row(1) == [1000000000.0, dt.date(2026, 3, 1)]


CELL = st.one_of(st.none(), st.integers(-5, 10**10), st.floats(-1e6, 1e6, allow_nan=False), st.booleans(),
                 st.text(alphabet="0aé ", max_size=4), st.dates(dt.date(1950, 1, 1), dt.date(2030, 12, 31)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=12), st.integers(0, 3))
def test_any_sheet_reads_the_same_as_python_calamine(rows: list[list[object]], banner: int):
    data = xlsx_openpyxl({"S": [["Title"]] * banner + rows})
    [workbook] = read_raw(data, "any.xlsx")
    assert _cells(workbook.sheets[0]) == _cells(read_calamine(data, "any.xlsx")[0])


def test_typed_rows_beyond_the_sample_are_read_by_fastexcel(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(excel_fast, "SAMPLE_BYTES", 4096)
    rows = [["Roster"], ["VUID", "Voted", "Name"]] + [
        [1000000000 + i, dt.date(2026, 3, 1 + i % 5), f"NAME {i}"] for i in range(300)]
    data = xlsx_xlsxwriter(rows)
    [fast] = _fast_with_heads(data)
    [slow] = read_calamine(data, "big.xlsx")
    assert _cells(fast) == _cells(slow)
    assert fast.row(301) == [1000000299.0, 46086.0, "NAME 299"] and fast.n_rows == 302  # no date format: a number
