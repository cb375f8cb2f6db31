"""Blank lines dropped before a text file is split, each row keeping its own number (padding stays cheap).

``blank_lines.drop_blank_lines`` cuts the runs of blank lines (empty, or only spaces and delimiters) out
of the cleaned text; the sheet's ``row_numbers`` map each kept row back to its line, so problems,
footers, banners, blank-row reports and mixed-encoding rows name the county's own row numbers exactly
as when every line was kept.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from tests.ingest.upload_reading import read_county_upload
from turnout_desktop.ingest.readers.blank_lines import blank_rows_between, drop_blank_lines
from turnout_desktop.ingest.readers.registry import read_raw
from turnout_desktop.ingest.readers.text_reader import clean_text

ELECTION = dt.date(2026, 3, 3)
HEADER = "VUID,LAST NAME,PARTY,VOTING_METHOD"


def _codes(upload) -> dict[str, list]:
    found: dict[str, list] = {}
    for problem in upload.problems:
        found.setdefault(problem.code, []).append(problem)
    return found


def test_runs_of_blank_lines_are_cut_and_every_kept_line_keeps_its_number():
    text, numbers = drop_blank_lines("\n ,\nA\nB\n\n\t\n,,,\n  C\n\n,D", ",")
    assert text == "A\nB\n  C\n,D"
    assert numbers.tolist() == [3, 4, 8, 10]
    assert drop_blank_lines("A\nB", ",") == ("A\nB", None)
    assert drop_blank_lines("A\n;;\nB", ",") == ("A\n;;\nB", None)  # not this file's delimiter
    assert drop_blank_lines("A\n||\nB", "|")[0] == "A\nB"


def test_an_empty_line_inside_a_quoted_field_is_content():
    text = 'VUID,NOTE\n1151000001,"one\n\ntwo"\n\n1151000002,x'
    kept, numbers = drop_blank_lines(text, ",")
    assert kept == 'VUID,NOTE\n1151000001,"one\n\ntwo"\n1151000002,x'
    assert numbers.tolist() == [1, 2, 3, 4, 6]  # lines, not rows: a quoted line break joins two lines
    [sheet] = read_raw(text.encode(), "loving.csv")[0].sheets
    # Rows and lines differ, so no line map fits: the file is read with every line, as Python's csv reads it.
    assert sheet.row_numbers is None and sheet.columns[1] == ["NOTE", "one\n\ntwo", None, "x"]


def test_badly_quoted_text_keeps_every_line():
    text = 'VUID,NOTE\n1151000001,AB"C\n\n1151000002,x'
    assert drop_blank_lines(text, ",") == (text, None)


def test_dropped_lines_between_two_rows_are_listed_then_counted():
    numbers = np.array([1, 2, 10, 11, 15], dtype=np.int64)
    listed, count = blank_rows_between(numbers, 2, 15, limit=5)
    assert listed.tolist() == [3, 4, 5, 6, 7] and count == 7 + 3
    assert blank_rows_between(numbers, 11, 10, limit=5)[1] == 0


def test_trailing_blank_lines_go_and_the_last_line_keeps_its_spaces():
    assert clean_text("a,b\n1,2  \n \t\n\n\x1a") == "a,b\n1,2  "
    assert clean_text("a\n\n\n") == "a"
    assert clean_text("\n \n") == ""
    assert clean_text("x\x1a") == "x"


def test_problems_footers_and_blank_rows_name_the_files_own_rows(tmp_path: Path):
    lines = ["Loving County Early Vote Roster", "", HEADER, "1151000001,PENA,DEM,early-voting", "", "", "",
             "115100000,SHORT,DEM,early-voting", ",,,", "1151000003,SMITH,XYZ,early-voting", "", "Total Voters: 3"]
    path = tmp_path / "loving.csv"
    path.write_text("\n".join(lines) + "\n\n\n", encoding="utf-8")
    sheet = read_raw(path.read_bytes(), path.name)[0].sheets[0]
    assert sheet.n_rows == 6 and sheet.row_numbers is not None
    upload = read_county_upload([path], county="Loving", election=ELECTION)
    codes = _codes(upload)
    assert upload.files[0].layouts[0].header_row == 3
    assert upload.rows["row_no"].tolist() == [4, 8, 10]
    assert [p.row for p in codes["vuid_too_short"]] == [8]
    assert [p.row for p in codes["unknown_party"]] == [10]
    assert [p.row for p in codes["blank_row"]] == [5, 6, 7, 9, 11]
    assert [p.row for p in codes["footer_total"]] == [12]
    assert [p.row for p in codes["banner_skipped"]] == [1]


def test_millions_of_blank_lines_are_counted_exactly(tmp_path: Path):
    path = tmp_path / "loving.csv"
    path.write_bytes((HEADER + "\n1151000001,PENA,DEM,early-voting\n").encode() + b"\n" * 3_000_000
                     + b"1151000002,,DEM,early-voting\n" + b" \n" * 5 + b",,,\n1151000003,X,DEM,early-voting\n")
    upload = read_county_upload([path], county="Loving", election=ELECTION)
    assert upload.rows["row_no"].tolist() == [2, 3_000_003, 3_000_010]
    blank = _codes(upload)["blank_row"]
    listed = [p.row for p in blank if p.row is not None]
    assert listed == list(range(3, 203))
    assert blank[-1].row is None and blank[-1].value == str(3_000_000 + 5 + 1 - 200)


def test_mixed_encoding_rows_keep_their_numbers_across_dropped_lines(tmp_path: Path):
    path = tmp_path / "loving.csv"
    path.write_bytes((HEADER + "\n1151000001,PEÑA,DEM,early-voting\n\n\n").encode()
                     + "1151000002,MUÑOZ,DEM,early-voting\n".encode("cp1252"))
    upload = read_county_upload([path], county="Loving", election=ELECTION)
    assert [p.row for p in _codes(upload)["mixed_encoding"]] == [5]
    assert upload.rows["row_no"].tolist() == [2, 5]
    assert not upload.ready
