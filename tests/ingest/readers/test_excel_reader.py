"""xlsx / xls / ods reading: exact typed cells, row numbering, hidden sheets, parsers, zips."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ingest.readers.raw_builders import ods_odfpy, xls_xlwt, xlsx_openpyxl, xlsx_xlsxwriter, zip_of
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers.registry import alternative_parsers, read_raw

BANNER_ROWS = [
    ["Travis County Early Vote Roster"],
    ["03.01.2026"],
    [],
    ["VUID", "Precinct", "Name", "Count"],
    ["0123456789", "0070", "PEÑA, JOSÉ", 3],
    [1234567890, "128.01", "TRUE", 0],
]


def _cells(sheet):
    return [sheet.row(index) for index in range(sheet.n_rows)]


def test_xlsx_openpyxl_keeps_types_and_row_numbers():
    data = xlsx_openpyxl({"Democrat": BANNER_ROWS, "Republican": [["VUID"], ["2000000001"]]}, hidden=["Republican"])
    [workbook] = read_raw(data, "03.01.2026 Early Vote.xlsx")
    assert workbook.parser == "calamine"
    assert workbook.encoding is None
    assert workbook.content == data
    first, second = workbook.sheets
    assert (first.name, first.hidden, second.name, second.hidden) == ("Democrat", False, "Republican", True)
    assert _cells(first) == [
        ["Travis County Early Vote Roster", None, None, None],
        ["03.01.2026", None, None, None],
        [None, None, None, None],
        ["VUID", "Precinct", "Name", "Count"],
        ["0123456789", "0070", "PEÑA, JOSÉ", 3.0],
        [1234567890.0, "128.01", "TRUE", 0.0],
    ]
    vuid_as_text, vuid_as_number = first.columns[0][4], first.columns[0][5]
    assert type(vuid_as_text) is str and type(vuid_as_number) is float
    assert _cells(second) == [["VUID"], ["2000000001"]]


def test_xlsx_openpyxl_parser_gives_the_same_cells():
    data = xlsx_openpyxl({"Democrat": BANNER_ROWS})
    [calamine] = read_raw(data, "x.xlsx")
    [openpyxl_read] = read_raw(data, "x.xlsx", parser="openpyxl")
    assert openpyxl_read.parser == "openpyxl"
    assert _cells(openpyxl_read.sheets[0]) == _cells(calamine.sheets[0])  # 3 == 3.0 for numbers
    assert type(openpyxl_read.sheets[0].columns[0][4]) is str
    assert alternative_parsers(calamine) == [{"parser": "openpyxl"}]
    assert alternative_parsers(openpyxl_read) == [{"parser": "calamine"}]


def test_xlsx_data_not_starting_at_a1_keeps_leading_blank_rows_and_columns():
    data = xlsx_xlsxwriter([[], [], [None, None, "VUID"], [None, None, "0000000001"]])
    [workbook] = read_raw(data, "x.xlsx")
    assert _cells(workbook.sheets[0]) == [[None, None, None], [None, None, None], [None, None, "VUID"],
                                          [None, None, "0000000001"]]


def test_xlsx_dates_bools_and_floats():
    rows = [["Date Voted", "Flag", "Ratio"], [dt.date(2026, 3, 1), True, 12.5],
            [dt.datetime(2026, 3, 2, 17, 42), False, 1.0]]
    data = xlsx_openpyxl({"S": rows})
    for parser in (None, "openpyxl"):
        [workbook] = read_raw(data, "x.xlsx", parser=parser)
        assert _cells(workbook.sheets[0]) == [["Date Voted", "Flag", "Ratio"], [dt.date(2026, 3, 1), True, 12.5],
                                              [dt.datetime(2026, 3, 2, 17, 42), False, 1.0]]


def test_xls_through_xlrd_and_calamine():
    rows = [["Hidalgo County"], ["CERT", "PRECINCT", "N"], ["0123456789", "128.01", 5], [1234567890, "0070", 2.5]]
    data = xls_xlwt(rows, "EV DEM")
    expected = [["Hidalgo County", None, None], ["CERT", "PRECINCT", "N"], ["0123456789", "128.01", 5.0],
                [1234567890.0, "0070", 2.5]]
    [workbook] = read_raw(data, "roster.xls")
    assert workbook.parser == "xlrd"  # calamine's xls reader can abort the process on damaged files
    assert workbook.sheets[0].name == "EV DEM"
    assert _cells(workbook.sheets[0]) == expected
    assert type(workbook.sheets[0].columns[0][2]) is str
    [fast] = read_raw(data, "roster.xls", parser="calamine")
    assert fast.parser == "calamine"
    assert _cells(fast.sheets[0]) == expected
    assert alternative_parsers(workbook) == [{"parser": "calamine"}]


def test_ods_through_calamine_and_odfpy():
    rows = [["Title"], [], ["VUID", "PCT"], ["0123456789", "0070"], [1234567890, 7]]
    data = ods_odfpy(rows, "Roster")
    expected = [["Title", None], [None, None], ["VUID", "PCT"], ["0123456789", "0070"], [1234567890.0, 7.0]]
    [workbook] = read_raw(data, "roster.ods")
    assert workbook.parser == "calamine"
    assert _cells(workbook.sheets[0]) == expected
    [odf] = read_raw(data, "roster.ods", parser="odf")
    assert odf.parser == "odf"
    assert odf.sheets[0].name == "Roster"
    assert _cells(odf.sheets[0]) == expected


def test_wrong_parser_for_the_kind_is_refused():
    data = xlsx_openpyxl({"S": [["a"]]})
    for parser in ("xlrd", "odf", "csv"):
        with pytest.raises(ImportRejected) as caught:
            read_raw(data, "x.xlsx", parser=parser)
        assert caught.value.reason == "unsupported_format"


def test_zip_of_csv_and_xlsx_gives_one_workbook_per_member():
    xlsx = xlsx_openpyxl({"Democrat": [["VUID"], ["0000000001"]]})
    data = zip_of({
        "Cumulative_EV_1126.csv": b"StateVoterID,Precinct\n0000000002,0070\n",
        "daily/03.01.2026 Early Vote.xlsx": xlsx,
        "__MACOSX/._x.csv": b"junk",
        "readme.pdf": b"%PDF-1.4",
    })
    workbooks = read_raw(data, "Cumulative_EV_1126.zip")
    assert [w.file_name for w in workbooks] == ["Cumulative_EV_1126.zip/Cumulative_EV_1126.csv",
                                                "Cumulative_EV_1126.zip/daily/03.01.2026 Early Vote.xlsx"]
    assert [w.parser for w in workbooks] == ["csv", "calamine"]
    assert _cells(workbooks[0].sheets[0]) == [["StateVoterID", "Precinct"], ["0000000002", "0070"]]
    assert _cells(workbooks[1].sheets[0]) == [["VUID"], ["0000000001"]]
    assert workbooks[1].content == xlsx
    assert "zip members skipped: readme.pdf" in workbooks[0].notes
    forced = read_raw(data, "Cumulative_EV_1126.zip", parser="openpyxl")  # applies to the members it fits
    assert [w.parser for w in forced] == ["csv", "openpyxl"]
    assert _cells(forced[1].sheets[0]) == [["VUID"], ["0000000001"]]


def test_zip_without_readable_members_is_rejected():
    with pytest.raises(ImportRejected) as caught:
        read_raw(zip_of({"a.pdf": b"%PDF-1.4"}), "x.zip")
    assert caught.value.reason == "unsupported_format"


def test_257_column_sheet_is_rejected_quickly():
    data = xlsx_xlsxwriter([[f"C{i}" for i in range(257)], list(range(257))])
    for parser in (None, "openpyxl"):
        with pytest.raises(ImportRejected) as caught:
            read_raw(data, "wide.xlsx", parser=parser)
        assert caught.value.reason == "too_many_columns"
    with pytest.raises(ImportRejected) as caught:
        read_raw(ods_odfpy([list(range(257))]), "wide.ods", parser="odf")
    assert caught.value.reason == "too_many_columns"


def test_256_columns_is_accepted():
    [workbook] = read_raw(xlsx_xlsxwriter([[f"C{i}" for i in range(256)]]), "x.xlsx")
    assert workbook.sheets[0].n_columns == 256
    assert workbook.sheets[0].row(0)[255] == "C255"


def test_empty_sheet_has_no_columns():
    [workbook] = read_raw(xlsx_openpyxl({"Empty": [], "Data": [["x"]]}), "x.xlsx")
    assert workbook.sheets[0].columns == [] and workbook.sheets[0].n_rows == 0
    assert _cells(workbook.sheets[1]) == [["x"]]
