"""csv/tsv/txt reading: encodings, delimiters, line-ending junk, exact text cells."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers.registry import alternative_parsers, read_raw, read_raw_path

ROSTER = "VUID,Name,Precinct\n0123456789,\"PEÑA, JOSÉ\",0070\n2000000001,SMITH,128.01\n"


def _cells(workbook):
    sheet = workbook.sheets[0]
    return [sheet.row(index) for index in range(sheet.n_rows)]


EXPECTED = [["VUID", "Name", "Precinct"], ["0123456789", "PEÑA, JOSÉ", "0070"], ["2000000001", "SMITH", "128.01"]]


@pytest.mark.parametrize(("encoding", "expected_encoding", "note"), [
    ("utf-8", "utf-8", None),
    ("utf-8-sig", "utf-8-sig", None),
    ("utf-16", "utf-16", None),          # Python writes a BOM (LE on this machine)
    ("utf-16-be", "utf-16", None),       # written with an explicit BOM below
    ("cp1252", "cp1252", "encoding fallback: cp1252"),
])
def test_csv_encodings_decode_exactly(tmp_path: Path, encoding: str, expected_encoding: str, note: str | None):
    data = ROSTER.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    [workbook] = read_raw_path(path)
    assert workbook.parser == "csv"
    assert workbook.encoding == expected_encoding
    assert workbook.sheets[0].name == ""
    assert _cells(workbook) == EXPECTED
    assert workbook.content == data
    assert (note in workbook.notes) if note else not any(n.startswith("encoding") for n in workbook.notes)


def test_latin1_is_the_last_resort_when_cp1252_cannot_decode():
    # 0x81 is undefined in cp1252, so only latin-1 can decode it.
    [workbook] = read_raw(b"VUID,Name\n0123456789,A\x81B\n", "x.csv")
    assert workbook.encoding == "latin-1"
    assert _cells(workbook)[1] == ["0123456789", "A\x81B"]


def test_tsv_with_cr_dos_eof_and_trailing_blank_lines():
    data = (b"SOS Voter ID\tName\tPrecinct\r\r\n1000000001\tDOE, J\t100101\r\n\t\t\r\n"
            b"1000000002\tROE\t0070\r\n\r\n\x1a\r\n\n\x1a")
    [workbook] = read_raw(data, "ev_vtrex_tc.txt")
    assert "delimiter: tab" in workbook.notes
    assert _cells(workbook) == [
        ["SOS Voter ID", "Name", "Precinct"],
        ["1000000001", "DOE, J", "100101"],
        ["1000000002", "ROE", "0070"],         # the blank row in the middle is dropped ...
    ]
    assert workbook.sheets[0].row_numbers.tolist() == [1, 2, 4]  # ... and the rows keep their numbers


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("|", "pipe"), ("\t", "tab"), (",", "comma")])
def test_delimiter_sniffing(delimiter: str, name: str):
    rows = [["Travis County Roster"], ["VUID", "Name", "PCT"], ["0000000001", "A", "1"], ["0000000002", "B", "2"]]
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    [workbook] = read_raw(text.encode(), "x.txt")
    assert f"delimiter: {name}" in workbook.notes
    assert _cells(workbook) == [["Travis County Roster", None, None], ["VUID", "Name", "PCT"],
                                ["0000000001", "A", "1"], ["0000000002", "B", "2"]]


def test_quoted_fields_with_embedded_commas_newlines_and_quotes():
    data = b'"VOTER_NAME","ID_VOTER","VOTING_METHOD","PRECINCT"\n"DOE, JANE\nMARIE","0012345678","MAIL-IN","101"\n' \
           b'"O""BRIEN, PAT","1012345678","IN-PERSON",""\n'
    [workbook] = read_raw(data, "sos.csv")
    assert _cells(workbook) == [["VOTER_NAME", "ID_VOTER", "VOTING_METHOD", "PRECINCT"],
                                ["DOE, JANE\nMARIE", "0012345678", "MAIL-IN", "101"],
                                ['O"BRIEN, PAT', "1012345678", "IN-PERSON", None]]


def test_stray_quote_inside_unquoted_field_is_read_leniently():
    [workbook] = read_raw(b'VUID,Name\n0000000001,SMITH "JR"\n0000000002,"DOE"X\n', "x.csv")
    assert _cells(workbook) == [["VUID", "Name"], ["0000000001", 'SMITH "JR"'], ["0000000002", "DOEX"]]


def test_text_is_nfc_normalised():
    decomposed = "Pen\u0303a"  # n + combining tilde
    [workbook] = read_raw(f"Name\n{decomposed}\n".encode(), "x.csv")
    assert _cells(workbook)[1] == ["Peña"]
    assert len(_cells(workbook)[1][0]) == 4


def test_forced_encoding_and_alternatives():
    data = "VUID,Name\n1,Peña\n".encode()
    [workbook] = read_raw(data, "x.csv")
    assert workbook.encoding == "utf-8"
    assert alternative_parsers(workbook) == [{"encoding": "cp1252"}, {"encoding": "latin-1"}]
    [forced] = read_raw(data, "x.csv", encoding="cp1252")
    assert forced.encoding == "cp1252"
    assert _cells(forced)[1] == ["1", "PeÃ±a"]
    assert "encoding forced: cp1252" in forced.notes


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"\n\n\r\n\x1a", "empty"),
    (b"VUID,Name\n0000000001,A\x00B\n", "binary"),
    (b"\xff\xfeV\x00\x00\x00", "binary"),           # UTF-16 text holding a NUL character
    (bytes(range(1, 9)) * 200, "binary"),
])
def test_text_rejections(data: bytes, reason: str):
    with pytest.raises(ImportRejected) as caught:
        read_raw(data, "x.csv")
    assert caught.value.reason == reason
    assert caught.value.file == "x.csv"


def test_unterminated_quote_in_a_large_csv_is_rejected_quickly():
    body = "".join(f"{1000000000 + i},NAME {i},{i % 300}\n" for i in range(400_000))  # ~10 MB
    data = ("VUID,Name,PCT\n" + body[:5_000_000] + '1000000000,"UNTERMINATED,1\n' + body[5_000_000:]).encode()
    assert len(data) > 9_000_000
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as caught:
        read_raw(data, "big.csv")
    assert caught.value.reason == "malformed_csv"
    assert time.perf_counter() - started < 10


def test_unterminated_quote_at_the_end_is_rejected():
    with pytest.raises(ImportRejected) as caught:
        read_raw(b'VUID,Name\n0000000001,"DOE\n0000000002,ROE\n', "x.csv")
    assert caught.value.reason == "malformed_csv"


def test_257_columns_in_a_csv_is_rejected():
    data = (",".join(f"C{i}" for i in range(257)) + "\n").encode()
    with pytest.raises(ImportRejected) as caught:
        read_raw(data, "wide.csv")
    assert caught.value.reason == "too_many_columns"


def test_csv_row_limit():
    from turnout_desktop.ingest.readers.text_reader import parse_rows

    text = "".join(f"{i}\n" for i in range(12))
    with pytest.raises(ImportRejected) as caught:
        parse_rows(text, ",", "x.csv", max_rows=10)
    assert caught.value.reason == "too_many_rows"
    assert len(parse_rows(text, ",", "x.csv", max_rows=12)) == 12


def test_one_million_row_csv_reads_in_seconds():
    data = ("VUID,Precinct,Name,Party,Method,Date\n" + "".join(
        f"{1000000000 + i:010d},{i % 300:04d},NAME{i % 977},DEM,EV,03/01/2026\n" for i in range(1_000_000))).encode()
    started = time.perf_counter()
    [workbook] = read_raw(data, "big.csv")
    elapsed = time.perf_counter() - started
    sheet = workbook.sheets[0]
    assert sheet.n_rows == 1_000_001
    assert sheet.row(1) == ["1000000000", "0000", "NAME0", "DEM", "EV", "03/01/2026"]
    assert sheet.row(1_000_000) == ["1000999999", "0099", "NAME528", "DEM", "EV", "03/01/2026"]
    assert elapsed < 20, elapsed  # ~2 s on an idle machine; generous for a shared CI box
