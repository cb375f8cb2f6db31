"""``sheet_extent.xlsx_extent`` pinned on crafted worksheet parts: spellings, far references in every chunk
position, and equality with plain-regex reference implementations on generated parts."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety, sheet_extent

LIMIT = 32 * 1024 * 1024
HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" xmlns:r="http://x"><dimension ref="A1:F400"/><sheetData>')
FOOT = b'</sheetData><pageMargins footer="0.3" header="0.3"/></worksheet>'

# The reference spells the rules out independently of the module's patterns.
_STRICT = {"big": rb'r="[A-Za-z]{0,3}(\d{7,})"', "wide": rb'r="([A-Za-z]{2,})\d+"', "any": rb'r="[A-Za-z]{0,3}(\d+)"'}
_LOOSE = {"big": rb'r\s*=\s*["\']\s*[A-Za-z]{0,3}(\d{7,})', "wide": rb'r\s*=\s*["\']\s*([A-Za-z]{2,})\d+',
          "any": rb'r\s*=\s*["\']\s*[A-Za-z]{0,3}(\d+)'}
_FAR = rb'r="(?:[A-Za-z]{2,}\d|[A-Za-z]?\d{7})'


def _column(letters: bytes) -> int:
    return sum((letter - 64) * 26**power for power, letter in enumerate(reversed(letters.upper())))


def _is_loose(text: bytes) -> bool:
    return re.search(rb'=(?:[^"]|\Z)', text) is not None or re.search(rb"[ \t\r\n]=", text) is not None


def _window_facts(window: bytes, exact: bool) -> tuple[int, int, int] | None:
    """(big row, wide column, every row) of one window, or None when it is skipped."""
    loose = _is_loose(window)
    if not (exact or loose or re.search(_FAR, window)):
        return None
    patterns = _LOOSE if loose else _STRICT
    return (max((int(row) for row in re.findall(patterns["big"], window)), default=0),
            max((_column(letters) for letters in re.findall(patterns["wide"], window)), default=0),
            max((int(row) for row in re.findall(patterns["any"], window)), default=0))


def reference(part: bytes, max_cells: int) -> tuple[int, int]:
    """Plain regexes over the whole part (equal to the chunked scan when the part is one chunk)."""
    found = _window_facts(part, False)
    if found is None:  # skipped before the limit is compared
        return 999_999, 26
    big, wide = found[0], found[1]
    if max(big, 999_999) * max(wide, 26) > max_cells:
        return max(found[2], big), max(wide, 26)
    return max(big, 999_999), max(wide, 26)


def windowed_reference(part: bytes, max_cells: int, chunk: int) -> tuple[int, int]:
    """The chunked semantics: windows of 64 bytes of overlap plus one chunk, rows before the exact pass
    bounded by 999,999."""
    big = wide = exact_row = 0
    exact = False
    tail = b""
    for index, start in enumerate(range(0, len(part), chunk)):
        window = tail + part[start:start + chunk]
        tail = window[-64:]
        found = _window_facts(window, exact)
        if found is None:
            continue
        big, wide = max(big, found[0]), max(wide, found[1])
        if not exact and max(big, 999_999) * max(wide, 26) > max_cells:
            exact, exact_row = True, 999_999 if index else 0
        if exact:
            exact_row = max(exact_row, found[2])
    return (max(exact_row, big) if exact else max(big, 999_999)), max(wide, 26)


def roster(rows: int) -> bytes:
    """A strict part like xlsxwriter's: rows 1..rows, columns A..F."""
    body = b"".join(b'<row r="%d" spans="1:6">' % row + b"".join(
        b'<c r="%s%d" t="inlineStr"><is><t>x</t></is></c>' % (column, row) for column in (b"A", b"B", b"F"))
        + b"</row>" for row in range(1, rows + 1))
    return HEAD + body + FOOT


def extent(part: bytes, max_cells: int = LIMIT, chunk_bytes: int | None = None) -> tuple[int, int]:
    return sheet_extent.xlsx_extent(io.BytesIO(part), max_cells, chunk_bytes=chunk_bytes)


def test_strict_roster_without_far_reference_gets_the_unseen_bounds():
    assert extent(roster(400)) == (999_999, 26)
    assert extent(roster(400), chunk_bytes=97) == (999_999, 26)
    # a clean strict window is skipped before the limit is compared, even for a tiny limit
    assert extent(roster(400), max_cells=1000) == (999_999, 26)


@pytest.mark.parametrize("spelling", [b'r="IV1048576"', b'r = "IV1048576"', b"r='IV1048576'", b"r\t=\n'IV1048576'",
                                      b'r= "IV1048576"', b'r ="IV1048576"'])
def test_far_reference_is_found_in_every_spelling(spelling: bytes):
    part = roster(50).replace(b"</sheetData>", b"<row r=\"1048576\"><c " + spelling + b"/></row></sheetData>")
    assert extent(part) == (1_048_576, 256)
    assert extent(part, chunk_bytes=128) == (1_048_576, 256)


def test_loose_spelling_without_far_reference_gives_exact_values():
    part = roster(20).replace(b'<c r="B7"', b"<c r = 'AB7'")
    assert extent(part) == (999_999, 28)
    assert extent(part, max_cells=1000) == (20, 28)


@pytest.mark.parametrize(("reference_text", "first", "later"), [
    (b"IV1048576", (1_048_576, 256), (1_048_576, 256)),
    # XFD1 alone forces the exact pass; rows of chunks already passed count as 999,999
    (b"XFD1", (400, 16_384), (999_999, 16_384)),
    (b"A1048576", (1_048_576, 26), (1_048_576, 26)),
])
def test_far_reference_in_first_middle_and_last_chunk(reference_text: bytes, first: tuple[int, int],
                                                      later: tuple[int, int]):
    part = roster(400)
    chunk = 4096
    for position, expected in [(len(HEAD) + 10, first), (len(part) // 2, later), (len(part) - 100, later)]:
        cut = part.rfind(b"<row ", 0, position)
        hostile = part[:cut] + b'<row r="7"><c r="' + reference_text + b'"/></row>' + part[cut:]
        assert extent(hostile, chunk_bytes=chunk) == expected, position
        assert extent(hostile) == first  # one window: the exact pass sees every row
        assert windowed_reference(hostile, LIMIT, chunk) == expected


@pytest.mark.parametrize("reference_text", [b"IV1048576", b"XFD1", b"A1048576", b"AA1"])
def test_far_reference_split_across_a_chunk_boundary_at_every_offset(reference_text: bytes):
    chunk = 256
    base = roster(60)
    cell = b'<c r="' + reference_text + b'"/>'
    for split in range(-4, len(cell) + 8):
        cell_start = 3 * chunk - split  # the chunk boundary falls `split` bytes into the cell
        cut = base.rfind(b"<row ", 0, cell_start - 100)
        filler = b"<x/>" * ((cell_start - cut) // 4) + b" " * ((cell_start - cut) % 4)
        hostile = base[:cut] + filler + cell + base[cut:]
        assert hostile.index(cell) == cell_start
        expected = windowed_reference(hostile, LIMIT, chunk)
        assert extent(hostile, chunk_bytes=chunk) == expected, split
        if reference_text == b"IV1048576":
            assert expected == (1_048_576, 256)
        if reference_text == b"AA1":  # 999,999 x 27 cells stays under the limit: no exact pass
            assert expected == (999_999, 27)


def test_equals_ending_a_chunk_keeps_the_loose_window_semantics():
    # a window ending in "=" is loose, so r=" AB12" (a space after the quote) counts there only
    part = b"<c r=\" AB12\"/>" + b'<c r="A1"/>' + b"<y/>" * 20
    boundary = part.index(b"=", part.index(b"=") + 1) + 1
    assert extent(part, chunk_bytes=boundary) == windowed_reference(part, LIMIT, boundary) == (999_999, 28)
    assert extent(part) == reference(part, LIMIT) == (999_999, 26)


def test_real_zip_part_with_a_reader_thread(tmp_path: Path):
    path = tmp_path / "far.xlsx"
    part = roster(3000).replace(b"</sheetData>", b'<row r="3001"><c r="IV1048576"/></row></sheetData>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", part)
    threads = threading.active_count()
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as handle:
        assert sheet_extent.xlsx_extent(handle, LIMIT, chunk_bytes=10_000) == (1_048_576, 256)
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as handle:
        assert sheet_extent.xlsx_extent(handle, LIMIT) == (1_048_576, 256)
    assert threading.active_count() == threads
    with zipfile.ZipFile(path) as archive, pytest.raises(ImportRejected) as caught:
        safety.check_sheet_extent(archive, "far.xlsx", "xlsx")
    assert caught.value.reason == "too_many_cells"


def test_damaged_part_error_is_raised_from_the_reader_thread(tmp_path: Path):
    path = tmp_path / "damaged.xlsx"
    part = roster(3000)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", part)
    data = bytearray(path.read_bytes())
    data[data.index(b'<row r="2000"') + 5] = ord("R")  # breaks the CRC, seen when the last chunk is read
    path.write_bytes(bytes(data))
    threads = threading.active_count()
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as handle:
        with pytest.raises(zipfile.BadZipFile, match="CRC"):
            sheet_extent.xlsx_extent(handle, LIMIT, chunk_bytes=4096)
    assert threading.active_count() == threads


TOKENS = [b'<c r="', b'<row r="', b'"', b"'", b"=", b"r", b" ", b"\t", b"\n", b"A", b"IV", b"XFD", b"ab", b"1",
          b"1048576", b"999999", b"1234567", b"12", b'"/>', b"<t>", b'footer="0.3"', b"r=\"", b"r = '", b'r="AB']
parts = st.lists(st.sampled_from(TOKENS) | st.binary(max_size=3), max_size=60).map(b"".join)


@settings(max_examples=200, deadline=None)
@given(parts, st.sampled_from([1000, 26_000_000, LIMIT]))
def test_one_window_equals_the_whole_part_regex_reference(part: bytes, max_cells: int):
    assert extent(part, max_cells) == reference(part, max_cells)


@settings(max_examples=200, deadline=None)
@given(parts, st.sampled_from([1000, LIMIT]), st.integers(1, 90))
def test_chunked_scan_equals_the_windowed_reference(part: bytes, max_cells: int, chunk: int):
    assert extent(part, max_cells, chunk_bytes=chunk) == windowed_reference(part, max_cells, chunk)


@settings(max_examples=200, deadline=None)
@given(parts)
def test_vectorised_loose_screen_equals_the_regex_screen(part: bytes):
    loose, trailing, candidates = sheet_extent._equals_facts(np.frombuffer(part, np.uint8), 0, len(part))
    assert (loose or trailing) is sheet_extent._needs_loose_scan(part)
    if not loose:  # every far-reference start is a candidate
        starts = {match.start() for match in re.finditer(_FAR, part)}
        assert starts <= set(candidates.tolist())
