"""Hostile inputs (docs/reliability.md T1-T4): each is refused with the right reason, quickly, before parsing."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from tests.ingest.readers.raw_builders import (
    SHARED_STRINGS_ROOT,
    SHEET_ROOT,
    billion_laughs,
    external_entity,
    ods_odfpy,
    quadratic_blowup,
    replace_zip_member,
    xlsx_openpyxl,
    xlsx_xlsxwriter,
    zip_of,
)
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety
from turnout_desktop.ingest.readers.registry import read_raw, read_raw_path

ODS_ROOT = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
            '<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string">'
            '<text:p>BOMB</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>'
            '</office:body></office:document-content>')


def _rejected(data: bytes, name: str, **kwargs) -> ImportRejected:
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as caught:
        read_raw(data, name, **kwargs)
    assert time.perf_counter() - started < 2.0
    assert caught.value.file is not None
    return caught.value


XLSX = xlsx_xlsxwriter([["VUID"], ["0000000001"]])
PAYLOADS = {
    "laughs5": lambda root: billion_laughs(5, root),
    "laughs9": lambda root: billion_laughs(9, root),
    "quadratic": quadratic_blowup,
    "external": external_entity,
    "external_dtd": lambda root: f'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">{root}'
                                 .encode(),
}


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize(("part", "root"), [
    ("xl/worksheets/sheet1.xml", SHEET_ROOT),
    ("xl/sharedStrings.xml", SHARED_STRINGS_ROOT),
    ("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">BOMB</workbook>'),
    ("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">BOMB</Types>'),
])
@pytest.mark.parametrize("parser", [None, "openpyxl"])
def test_xml_bombs_in_xlsx_parts_are_rejected(payload: str, part: str, root: str, parser: str | None):
    data = replace_zip_member(XLSX, part, PAYLOADS[payload](root))
    assert _rejected(data, "bomb.xlsx", parser=parser).reason == "xml"


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("parser", [None, "odf"])
def test_xml_bombs_in_ods_content_are_rejected(payload: str, parser: str | None):
    data = replace_zip_member(ods_odfpy([["x"]]), "content.xml", PAYLOADS[payload](ODS_ROOT))
    assert _rejected(data, "bomb.ods", parser=parser).reason == "xml"


def test_doctype_after_a_long_comment_and_in_utf16_is_still_found():
    bomb_after_prolog = billion_laughs(5, SHEET_ROOT).split(b"?>", 1)[1]
    hidden = b'<?xml version="1.0"?><!--' + os.urandom(150_000).hex().encode() + b"-->" + bomb_after_prolog
    assert _rejected(replace_zip_member(XLSX, "xl/worksheets/sheet1.xml", hidden), "c.xlsx").reason == "xml"
    utf16 = billion_laughs(5, SHEET_ROOT).decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    data = replace_zip_member(XLSX, "xl/worksheets/sheet1.xml", b"\xff\xfe" + utf16.encode("utf-16-le"))
    assert _rejected(data, "u.xlsx").reason == "xml"


def test_zip_bomb_of_200_mb_zeros_is_rejected_before_decompression():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("roster.csv", "w") as member:
            chunk = b"\0" * (8 * 1024 * 1024)
            for _ in range(25):
                member.write(chunk)
    data = buffer.getvalue()
    assert len(data) < 1_000_000
    assert _rejected(data, "bomb.zip").reason == "zip_bomb"


def test_zip_with_1001_members_is_rejected_and_1000_accepted():
    members = {f"m{i}.csv": b"VUID\n1\n" for i in range(1001)}
    assert _rejected(zip_of(members, zipfile.ZIP_STORED), "many.zip").reason == "zip_bomb"
    members.pop("m1000.csv")
    assert len(read_raw(zip_of(members, zipfile.ZIP_STORED), "ok.zip")) == 1000


def test_declared_total_over_500_mb_is_a_zip_bomb():
    # Members whose headers declare 300 MB each (the ratio check alone would pass: sizes are faked below).
    data = bytearray(zip_of({"a.csv": b"x" * 10, "b.csv": b"y" * 10}, zipfile.ZIP_STORED))
    position = bytes(data).find(b"PK\x01\x02")
    while position >= 0:
        data[position + 20:position + 28] = (300 * 1024 * 1024).to_bytes(4, "little") * 2  # compressed, full size
        position = bytes(data).find(b"PK\x01\x02", position + 4)
    assert [info.file_size for info in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()] == [300 * 1024 * 1024] * 2
    assert _rejected(bytes(data), "big.zip").reason == "zip_bomb"


def test_encrypted_zip_member_and_password_protected_xlsx():
    data = bytearray(zip_of({"a.csv": b"VUID\n1\n"}))
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = bytes(data).find(signature)
        data[position + flag_offset] |= 0x1
    assert _rejected(bytes(data), "locked.zip").reason == "encrypted"
    ole2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le")
            + b"\0" * 500)
    assert _rejected(ole2, "locked.xlsx").reason == "encrypted"


@pytest.mark.parametrize(("data", "name", "looks_like"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "roster.pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "scan.csv", "PNG"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 40, "photo.xlsx", "JPEG"),
    (b"VUID,Name\n1,A\n", "roster.xlsx", "named like a xlsx"),
])
def test_wrong_file_types_are_unsupported_format(data: bytes, name: str, looks_like: str):
    error = _rejected(data, name)
    assert error.reason == "unsupported_format"
    assert looks_like in str(error)
    assert "expected a csv" in str(error)


def test_truncated_xlsx_and_ods_are_rejected_not_empty():
    xlsx = xlsx_openpyxl({"S": [["VUID"], ["0000000001"]] * 50})
    ods = ods_odfpy([["VUID"], ["0000000001"]] * 50)
    for data, name in ((xlsx, "t.xlsx"), (ods, "t.ods")):
        assert _rejected(data[: len(data) // 2], name).reason == "unreadable"
    truncated_part = replace_zip_member(ods, "content.xml", zipfile.ZipFile(io.BytesIO(ods)).read("content.xml")[:300])
    for parser in (None, "odf"):
        assert _rejected(truncated_part, "t.ods", parser=parser).reason == "unreadable"


def test_file_size_limits_are_checked_before_reading(tmp_path: Path):
    big = tmp_path / "huge.xlsx"
    with big.open("wb") as handle:
        handle.truncate(safety.MAX_SPREADSHEET_BYTES + 1)  # sparse: no 50 MB written
    with pytest.raises(ImportRejected) as caught:
        read_raw_path(big)
    assert caught.value.reason == "too_large"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportRejected) as caught:
        read_raw_path(empty)
    assert caught.value.reason == "empty"
    with pytest.raises(ImportRejected) as caught:
        read_raw_path(tmp_path / "missing.csv")
    assert caught.value.reason == "unreadable"
    assert _rejected(b"PK\x05\x06" + b"\0" * 18, "empty.zip").reason == "empty"


def test_in_memory_size_limit_for_spreadsheets():
    oversized = XLSX + b"\0" * (safety.MAX_SPREADSHEET_BYTES + 1 - len(XLSX))
    assert _rejected(oversized, "x.xlsx").reason in {"too_large"}


def _xlsx_with_cell_at(reference: str) -> bytes:
    part = zipfile.ZipFile(io.BytesIO(XLSX)).read("xl/worksheets/sheet1.xml")
    return replace_zip_member(XLSX, "xl/worksheets/sheet1.xml", part.replace(b'r="A2"', f'r="{reference}"'.encode()))


@pytest.mark.parametrize(("reference", "reason"), [
    ("IV1048576", "too_many_cells"),    # calamine would ask for 8 GB and abort the process
    ("AZ900000", "too_many_cells"),
    ("A2000000", "too_many_rows"),
    ("XFD1", "too_many_columns"),
])
@pytest.mark.parametrize("parser", [None, "openpyxl"])
def test_far_away_cell_reference_is_refused_before_parsing(reference: str, reason: str, parser: str | None):
    assert _rejected(_xlsx_with_cell_at(reference), "far.xlsx", parser=parser).reason == reason


@pytest.mark.parametrize("spelling", [b"r = 'IV1048576'", b'r=\n"IV1048576"', b"r='iv1048576'"])
@pytest.mark.parametrize("parser", [None, "openpyxl"])
def test_far_reference_in_unusual_xml_spelling_is_refused(spelling: bytes, parser: str | None):
    part = zipfile.ZipFile(io.BytesIO(XLSX)).read("xl/worksheets/sheet1.xml").replace(b'r="A2"', spelling)
    data = replace_zip_member(XLSX, "xl/worksheets/sheet1.xml", part)
    assert _rejected(data, "odd.xlsx", parser=parser).reason == "too_many_cells"


def test_escaped_far_reference_is_not_expanded():
    part = zipfile.ZipFile(io.BytesIO(XLSX)).read("xl/worksheets/sheet1.xml").replace(b'r="A2"', b'r="&#73;V1048576"')
    # calamine refuses the escaped reference; the openpyxl fallback does not resolve it either
    [workbook] = read_raw(replace_zip_member(XLSX, "xl/worksheets/sheet1.xml", part), "odd.xlsx")
    assert workbook.parser == "openpyxl"
    assert workbook.sheets[0].n_rows <= 2 and workbook.sheets[0].n_columns == 1
    assert any(note.startswith("calamine failed") for note in workbook.notes)


def test_far_cell_within_limits_is_read():
    [workbook] = read_raw(_xlsx_with_cell_at("C40"), "near.xlsx")
    sheet = workbook.sheets[0]
    assert (sheet.n_rows, sheet.n_columns) == (40, 3)
    assert sheet.row(0) == ["VUID", None, None] and sheet.row(39) == [None, None, "0000000001"]


def test_ods_repeated_value_cells_and_rows_are_bounded():
    ods = ods_odfpy([["VUID"], ["1"]])
    content = zipfile.ZipFile(io.BytesIO(ods)).read("content.xml")
    wide = content.replace(b'<table:table-cell office:value-type="string"',
                           b'<table:table-cell table:number-columns-repeated="1000" office:value-type="string"', 1)
    assert _rejected(replace_zip_member(ods, "content.xml", wide), "wide.ods").reason == "too_many_columns"
    tall = content.replace(b"<table:table-row>", b'<table:table-row table:number-rows-repeated="2000000">', 1)
    for parser in (None, "odf"):
        assert _rejected(replace_zip_member(ods, "content.xml", tall), "tall.ods", parser=parser).reason == \
            "too_many_rows"


def test_xlsb_is_refused_by_content():
    data = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"})
    assert _rejected(data, "roster.xlsb").reason == "unsupported_format"
