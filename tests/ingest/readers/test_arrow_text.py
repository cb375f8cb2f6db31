"""Arrow-backed text columns: list behaviour, and csv results identical to the pure-Python path."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pyarrow as pa
import pytest

from tests.ingest.upload_reading import read_county_upload
from turnout_desktop.ingest.readers import text_fast
from turnout_desktop.ingest.readers.arrow_text import ArrowText, take_cells, whole, window
from turnout_desktop.ingest.readers.registry import read_raw

BEFORE = ["Travis County Early Vote Roster", None]
MIDDLE = ["a", None, "b", "a", "", " c"]
AFTER = ["Total Voters 6"]


def _column() -> ArrowText:
    chunks = pa.chunked_array([pa.array(MIDDLE[:4]), pa.array(MIDDLE[4:])])
    return ArrowText(chunks, BEFORE, AFTER)


def test_arrow_text_reads_like_the_list_of_its_cells() -> None:
    cells = BEFORE + MIDDLE + AFTER
    column = _column()
    assert len(column) == 9 and column.offset == 2
    assert [column[i] for i in range(-9, 9)] == cells + cells
    for start in range(-10, 11):
        for stop in range(-10, 11):
            assert column[start:stop] == cells[start:stop]
    assert column[::2] == cells[::2] and column[::-1] == cells[::-1]
    with pytest.raises(IndexError):
        column[9]
    assert list(column) == cells and column == cells and cells == column and column != cells[:-1]
    assert column + ["x"] == [*cells, "x"] and ["x"] + column == ["x", *cells]
    assert column.count("a") == 2 and column.index("b") == 4
    assert pickle.loads(pickle.dumps(column)) == cells


def test_windows_and_takes_keep_the_mirror_only_where_it_covers() -> None:
    column = _column()
    assert window(column, 1, 4) is None and window(column, 2, 9) is None
    assert window(column, 3, 6).to_pylist() == MIDDLE[1:4]
    assert whole(column) is None and whole(list(column)) is None
    picked = take_cells(column, pa.array([2, 4, 5]).to_numpy())
    assert isinstance(picked, ArrowText) and picked == ["a", "b", "a"]
    assert take_cells(column, pa.array([0, 1, 2]).to_numpy()) == BEFORE + ["a"]


def _quirky_csv(rows: int, short_row: bool) -> bytes:
    lines = ["Travis County Early Vote Roster", "March 3, 2026 Primary", "",
             "VUID,Last Name,First Name,PCT,Party Ballot,Vote Type"]
    for index in range(rows):
        vuid = str(1_000_000_000 + index)
        if index == 7:
            vuid = "114229866"          # 9 digits
        elif index == 11:
            vuid = ""                   # blank
        elif index == 13:
            vuid = "1.23457E+09"        # scientific notation
        elif index in (17, 19):
            vuid = "1000000003"         # repeats of row 3
        party = ("DEM", "REP", "Democratic", "npa", " ", "GRN")[index % 6]
        method = ("E", "A", "Y", "", "X")[index % 5]
        lines.append(f"{vuid},LAST{index % 50},FIRST{index},{index % 9:04d},{party},{method}")
        if index == 30:
            lines.append(lines[-1])     # an exact repeat
        elif index == 260 and short_row:
            lines.append("2000000001,LATE")  # a short row amid the data, far below the sniffing sample
        elif index == 270:
            lines.append(",,,,,")       # a row of empty fields
    lines += ["", "Total Voters,300", "End of report"]
    return ("\r\n".join(lines) + "\r\n\x1a").encode("cp1252")


def _upload(path: Path) -> tuple[object, ...]:
    upload = read_county_upload([path], county="TRAVIS", election=dt.date(2026, 3, 3))
    rows = upload.rows
    return (upload.kind, rows.dtypes.astype(str).tolist(), rows.to_dict("list"),
            [[type(value).__name__ for value in rows[name]] for name in rows.columns],
            upload.counts, upload.problems, [file.layouts for file in upload.files])


@pytest.mark.parametrize("short_row", [False, True])
def test_quirky_csv_reads_exactly_as_the_python_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       short_row: bool) -> None:
    path = tmp_path / "03.01.2026 Early Vote.csv"
    path.write_bytes(_quirky_csv(300, short_row))
    sheet = read_raw(path.read_bytes(), path.name)[0].sheets[0]
    # Banner rows above and footers below keep the Arrow mirror; a short row amid the data does not.
    # Three blank lines (one in the banner, the row of empty fields, one above the footer) are dropped;
    # the rows keep their numbers.
    assert sheet.n_rows == 4 + 302 + short_row + 3 - 3
    assert sheet.row_number(2) == 4 and sheet.row_number(sheet.n_rows - 1) == 4 + 302 + short_row + 3
    assert isinstance(sheet.columns[0], ArrowText) is not short_row
    fast = _upload(path)
    monkeypatch.setattr(text_fast, "parse_columns", lambda *args: None)
    assert _upload(path) == fast
    kinds = {problem.code for problem in fast[5]}
    assert {"vuid_too_short", "vuid_blank", "vuid_scientific_notation", "duplicate_row",
            "duplicate_vuid_methods", "banner_skipped", "blank_row"} <= kinds


def test_footer_below_the_sample_keeps_the_mirror_and_the_results(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["VUID,Party Ballot,Vote Type"] + [f"{2_000_000_000 + i},REP,E" for i in range(400)]
    path = tmp_path / "03.01.2026 Early Vote.csv"
    path.write_text("\n".join([*lines, "Total Voters,400", ""]), encoding="utf-8")
    sheet = read_raw(path.read_bytes(), path.name)[0].sheets[0]
    assert isinstance(sheet.columns[0], ArrowText) and sheet.columns[0].after == ["Total Voters"]
    assert sheet.columns[2][-2:] == ["E", None]
    fast = _upload(path)
    monkeypatch.setattr(text_fast, "parse_columns", lambda *args: None)
    assert _upload(path) == fast
    assert [(c.party, c.voting_method, c.count) for c in fast[4] if c.count] == [
        ("REP", "early-voting", 400), ("REP", "TOTAL", 400)]
