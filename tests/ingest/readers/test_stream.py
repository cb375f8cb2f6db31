"""Streaming reader for big statewide csv files (plain and zipped)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers.text_stream import iter_csv_chunks, unique_titles

HEADER = "COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT\n"


def _statewide_text(rows: int) -> str:
    lines = [f'"HARRIS","DOE, VOTER {i}",{i:010d},{"MAIL-IN" if i % 5 == 0 else "IN-PERSON"},{i % 400:04d}\n'
             for i in range(rows)]
    return "Statewide roster as of 05/22/2026\n" + HEADER + "".join(lines)


def test_plain_csv_streams_in_bounded_chunks(tmp_path: Path):
    path = tmp_path / "statewide.csv"
    path.write_text(_statewide_text(250_000) + "TOTAL\n\x1a", encoding="utf-8")
    stream = iter_csv_chunks(path, chunk_rows=100_000)
    assert (stream.file_name, stream.encoding, stream.delimiter) == ("statewide.csv", "utf-8", ",")
    assert len(stream.preview) == 100
    assert stream.preview[0] == ["Statewide roster as of 05/22/2026"]
    assert stream.preview[1] == ["COUNTY", "VOTER_NAME", "ID_VOTER", "VOTING_METHOD", "PRECINCT"]
    assert stream.preview[2] == ["HARRIS", "DOE, VOTER 0", "0000000000", "MAIL-IN", "0000"]
    chunks = list(stream.chunks(header_row=1))
    sizes = [len(chunk["ID_VOTER"]) for chunk in chunks]
    assert sum(sizes) == 250_000
    assert sizes == [100_000, 100_000, 50_000]
    first = chunks[0]
    assert list(first) == ["COUNTY", "VOTER_NAME", "ID_VOTER", "VOTING_METHOD", "PRECINCT"]
    assert first["ID_VOTER"][:2] == ["0000000000", "0000000001"]
    assert first["VOTER_NAME"][1] == "DOE, VOTER 1"
    assert chunks[-1]["ID_VOTER"][-1] == "0000249999"
    assert stream.skipped_rows == 2  # the TOTAL footer and the DOS EOF line


def test_zipped_cp1252_tab_file_with_blank_titles(tmp_path: Path):
    text = "SOS Voter ID\t\tName\tName\n1000000001\tx\tPEÑA\tA\n1000000002\t\tMUÑOZ\t\n"
    path = tmp_path / "statewide.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("small_STATE.csv", "COUNTY,VOTER COUNT\nHARRIS,1\n")
        archive.writestr("58315VOTER_STATE.txt", text.encode("cp1252"))
    stream = iter_csv_chunks(path)
    assert stream.file_name == "statewide.zip/58315VOTER_STATE.txt"
    assert (stream.encoding, stream.delimiter) == ("cp1252", "\t")
    [chunk] = list(stream.chunks(header_row=0))
    assert chunk == {"SOS Voter ID": ["1000000001", "1000000002"], "column_2": ["x", None],
                     "Name": ["PEÑA", "MUÑOZ"], "Name (2)": ["A", None]}
    small = iter_csv_chunks(path, member="small_STATE.csv")
    assert list(small.chunks(0)) == [{"COUNTY": ["HARRIS"], "VOTER COUNT": ["1"]}]


def test_stream_rejections(tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportRejected) as caught:
        iter_csv_chunks(empty)
    assert caught.value.reason == "empty"
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"A,B\n1,\x00\n")
    with pytest.raises(ImportRejected) as caught:
        iter_csv_chunks(binary)
    assert caught.value.reason == "binary"
    ok = tmp_path / "ok.csv"
    ok.write_text("A\n1\n")
    with pytest.raises(ImportRejected) as caught:
        list(iter_csv_chunks(ok).chunks(header_row=5))
    assert caught.value.reason == "no_header"


def test_unique_titles():
    assert unique_titles(["City", None, " City ", "", "VUID"]) == ["City", "column_2", "City (2)", "column_4", "VUID"]
