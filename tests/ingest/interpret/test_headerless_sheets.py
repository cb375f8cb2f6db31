"""A party sheet without its header row is read with a sibling sheet's header (Travis P24 REP)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.ingest.conftest import counts_of, problem_tuples, write_xlsx
from tests.ingest.upload_reading import read_county_upload

HEADER = ["Precinct", "VUID", "Voter Name", "Party Ballot"]
ELECTION = dt.date(2024, 3, 5)


def _voters(first: int, count: int, party: str) -> list[list[object]]:
    return [[f"1{i:02d}", f"10000000{i:02d}", f"LAST{i},FIRST", party] for i in range(first, first + count)]


def test_headerless_party_sheet_borrows_the_previous_sheets_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "Travis P24 EV roster.xlsx", {
        "DEM": [["Travis County P24 EV Roster"], HEADER, *_voters(0, 5, "DEM")],
        "REP": _voters(5, 4, "REP"),
    })
    upload = read_county_upload([path], election=ELECTION)
    counts = counts_of(upload)
    assert (counts[("TRAVIS", "DEM", "early-voting")], counts[("TRAVIS", "REP", "early-voting")]) == (5, 4)
    assert problem_tuples(upload.problems) == [
        ("banner_skipped", "DEM", 1, None, "Travis County P24 EV Roster", False),
        ("header_borrowed", "REP", None, None, "DEM", False)]
    assert [(x.sheet, x.header_row, x.rows_read) for x in upload.files[0].layouts] == [("DEM", 2, 5), ("REP", 0, 4)]
    assert upload.files[0].layouts[1].mapping == {"vuid": "VUID", "party": "Party Ballot", "precinct": "Precinct"}
    rep = upload.rows[upload.rows["sheet"] == "REP"]
    assert rep["row_no"].tolist() == [1, 2, 3, 4] and rep["vuid"].tolist()[0] == "1000000005"
    assert upload.ready


def test_headerless_sheet_first_borrows_from_a_later_sheet_and_skips_its_banner(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "Travis P24 EV roster.xlsx", {
        "REP": [["Republican ballots"], *_voters(5, 3, "REP")],
        "DEM": [HEADER, *_voters(0, 2, "DEM")],
    })
    upload = read_county_upload([path], election=ELECTION)
    counts = counts_of(upload)
    assert (counts[("TRAVIS", "DEM", "early-voting")], counts[("TRAVIS", "REP", "early-voting")]) == (2, 3)
    assert problem_tuples(upload.problems) == [
        ("header_borrowed", "REP", None, None, "DEM", False),
        ("banner_skipped", "REP", 1, None, "Republican ballots", False)]
    rep = upload.rows[upload.rows["sheet"] == "REP"]
    assert rep["row_no"].tolist() == [2, 3, 4]


def test_sheets_that_do_not_fit_the_siblings_header_stay_skipped(tmp_path: Path) -> None:
    shifted = [[f"10000000{i:02d}", f"LAST{i},FIRST", "REP"] for i in range(5, 9)]  # VUID one column left
    path = write_xlsx(tmp_path / "Travis P24 EV roster.xlsx", {
        "DEM": [HEADER, *_voters(0, 2, "DEM")],
        "Notes": [["Chapter 102: late voting by a disabled voter"], ["Chapter 103: death in the family"]],
        "REP": shifted,
    })
    upload = read_county_upload([path], election=ELECTION)
    assert [(x.sheet, x.rows_read) for x in upload.files[0].layouts] == [("DEM", 2)]
    assert problem_tuples(upload.problems) == [
        ("sheet_skipped", "Notes", None, None, None, False), ("sheet_skipped", "REP", None, None, None, False)]
