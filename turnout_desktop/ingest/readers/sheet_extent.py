"""How far the cells of an xlsx/ods sheet reach, found with byte regexes before calamine parses it.

calamine builds a dense rectangle from A1 to the last referenced cell, and a failed Rust allocation
aborts the whole process (it cannot be caught). A 5 KB xlsx with one cell at ``IV1048576`` asks for
8 GB, so ``safety.check_sheet_extent`` refuses such sheets using the bounds computed here.
Used only by ``safety``; no Qt, no database.
"""

from __future__ import annotations

import contextlib
import posixpath
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Generator
from typing import IO

import numpy as np

CHUNK_BYTES = 16 * 1024 * 1024
_OVERLAP = 64
NARROW_COLUMNS = 26          # without a two-letter column reference, no cell lies beyond column Z
UNSEEN_ROW_BOUND = 999_999   # without a 7-digit row reference, no cell lies beyond this row
_QUEUED_CHUNKS = 2           # chunks decompressed ahead of the scan (bounds memory to ~4 chunks)
# Above this many far candidates in a window, two findall passes beat one regex match per candidate.
_MAX_CANDIDATES = 10_000
_EQUALS, _QUOTE, _LETTER_R, _SPACE = ord("="), ord('"'), ord("r"), ord(" ")
_XML_SPACES = np.array([ord(" "), ord("\t"), ord("\r"), ord("\n")], np.uint8)
_NO_POSITIONS = np.empty(0, np.intp)

# A literal prefix lets the regex engine skip ahead quickly (a leading \s made the scan 2-4x slower). Other
# attributes ending in "r" (footer="0.3") never match the letters-then-digits value shape.
_BIG_ROW = re.compile(rb'r="[A-Za-z]{0,3}(\d{7,})"')
_WIDE_COLUMN = re.compile(rb'r="([A-Za-z]{2,})\d+"')
_ANY_ROW = re.compile(rb'r="[A-Za-z]{0,3}(\d+)"')
# XML also allows r = 'A1' (spaces, single quotes): a chunk containing such spelling is scanned with these.
_LOOSE_BIG_ROW = re.compile(rb'r\s*=\s*["\']\s*[A-Za-z]{0,3}(\d{7,})')
_LOOSE_WIDE_COLUMN = re.compile(rb'r\s*=\s*["\']\s*([A-Za-z]{2,})\d+')
_LOOSE_ANY_ROW = re.compile(rb'r\s*=\s*["\']\s*[A-Za-z]{0,3}(\d+)')
# Cheap screens (one regex search each, with a literal first byte so the engine skips ahead; ~65 ms per
# 16 MB together, measured, against ~185 ms for six bytes.count passes and two findall): a chunk in the
# strict spelling without a far reference needs none of the findall passes below.
_FAR_REFERENCE = re.compile(rb'r="(?:[A-Za-z]{2,}\d|[A-Za-z]?\d{7})')
_EQUALS_WITHOUT_QUOTE = re.compile(rb'=(?:[^"]|\Z)')
# Searched in the reversed chunk: "=" preceded by whitespace (a class-first pattern is 8x slower forward).
_REVERSED_SPACE_BEFORE_EQUALS = re.compile(rb"=[ \t\r\n]")
# A reference written with character references ("&#73;V1048576"), "$" or a leading space is refused by
# calamine itself (measured), and openpyxl's reader counts cells as it goes, so neither needs a scan here.

_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(/>|>(.*?)</table:table-row>)", re.DOTALL)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/>|>(.*?)</table:(?:covered-)?table-cell>)",
                       re.DOTALL)
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')


_SHEET_ID = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?:id="([^"]+)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')
MAX_INDEX_PART_BYTES = 16 * 1024 * 1024


def xlsx_worksheet_parts(archive: zipfile.ZipFile) -> set[str]:
    """Names of the parts calamine may read as worksheets: xl/worksheets/* plus every sheet target of the
    workbook relationships (a hostile file can point a sheet anywhere)."""
    names = set(archive.namelist())
    parts = {name for name in names if name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml")}
    workbook = _small_part(archive, "xl/workbook.xml")
    relationships = _small_part(archive, "xl/_rels/workbook.xml.rels")
    sheet_ids = set(_SHEET_ID.findall(workbook))
    for match in _RELATIONSHIP.finditer(relationships):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        target = attributes.get(b"Target", b"").decode("utf-8", "replace")
        if attributes.get(b"Id") in sheet_ids and target:
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            parts.add(resolved)
    return parts & names


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """A workbook index part (empty when absent or implausibly large)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    return archive.read(info) if info.file_size <= MAX_INDEX_PART_BYTES else b""


def column_number(letters: bytes) -> int:
    """1-based column number of spreadsheet column letters (``b"A"`` -> 1, ``b"IV"`` -> 256)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64)
    return number


def xlsx_extent(handle: IO[bytes], max_cells: int, *, chunk_bytes: int | None = None,
                observe: Callable[[bytes, bytes], None] | None = None) -> tuple[int, int]:
    """Upper bounds ``(last row, last column)`` of the cell references in one xlsx XML part.

    The part is read in chunks, each seen with the last ``_OVERLAP`` bytes of the one before (a window).
    A vectorised screen of every ``=`` (``_equals_facts``) drops a strict-spelling window without a far
    reference (the usual case) while a reader thread decompresses the next chunk; both release the GIL.
    Otherwise the cheap pass looks at 7-digit rows and two-letter columns (rare in real rosters); only when
    that bound exceeds ``max_cells`` is every later window scanned for its exact last row.

    Args:
        handle: the decompressing stream of the part (read once, in chunks).
        max_cells: the caller's cell limit, deciding whether the exact pass is needed.
        chunk_bytes: bytes per read; ``None`` means ``CHUNK_BYTES`` (tests pass small sizes).
        observe: called with ``(tail, chunk)`` for every chunk (``sheet_positions.PlainCellScreen``).
    """
    size = CHUNK_BYTES if chunk_bytes is None else chunk_bytes
    big_row, wide_column, exact_row = 0, 0, 0
    exact = False
    chunks_seen = 0
    tail = b""
    with contextlib.closing(_read_chunks(handle, size)) as chunks:
        for chunk in chunks:
            if observe is not None:
                observe(tail, chunk)
            if exact or _suspect(tail, chunk):
                window = tail + chunk  # copied only here: ~2 ms per 16 MB saved on every clean window
                found = _scan_window(window, exact)
                if found is not None:
                    big_row, wide_column = max(big_row, found[0]), max(wide_column, found[1])
                    if not exact and max(big_row, UNSEEN_ROW_BOUND) * max(wide_column, NARROW_COLUMNS) > max_cells:
                        exact = True
                        if chunks_seen:
                            exact_row = UNSEEN_ROW_BOUND  # rows of the chunks already passed were not tracked
                    if exact:
                        exact_row = max(exact_row, _last_row(window, found[2]))
            chunks_seen += 1
            tail = chunk[-_OVERLAP:] if len(chunk) >= _OVERLAP else (tail + chunk)[-_OVERLAP:]
    rows = max(exact_row, big_row) if exact else max(big_row, UNSEEN_ROW_BOUND)
    return rows, max(wide_column, NARROW_COLUMNS)


def _suspect(tail: bytes, chunk: bytes) -> bool:
    """True when the window ``tail + chunk`` may be loose or hold a far reference, without building it.

    The seam (tail plus the chunk's head) covers every ``=`` of the tail and the chunk's first byte with its
    full context; the chunk covers the rest, its end being the window's end.
    """
    seam = np.frombuffer(tail + chunk[:_OVERLAP], np.uint8)
    loose, trailing, candidates = _equals_facts(seam, 0, len(tail) + 1)
    if loose or trailing or candidates.size:
        return True
    loose, trailing, candidates = _equals_facts(np.frombuffer(chunk, np.uint8), 1, len(chunk))
    return loose or trailing or bool(candidates.size)


def _scan_window(window: bytes, exact: bool) -> tuple[int, int, bool] | None:
    """``(big row, wide column, loose)`` found in one window, or ``None`` when the regex screens skip it
    (no loose spelling, no far reference, not in the exact pass)."""
    loose, trailing, candidates = _equals_facts(np.frombuffer(window, np.uint8), 0, len(window))
    if loose or candidates.size > _MAX_CANDIDATES:
        if not (exact or loose or trailing or _FAR_REFERENCE.search(window)):
            return None
        big, wide = (_LOOSE_BIG_ROW, _LOOSE_WIDE_COLUMN) if loose or trailing else (_BIG_ROW, _WIDE_COLUMN)
        return (max(map(int, big.findall(window)), default=0),
                max(map(column_number, wide.findall(window)), default=0), loose or trailing)
    # Every "=" but a trailing one is strict here, so every match of the strict patterns - and of the loose
    # ones, which a window ending in "=" uses - starts at a candidate "r"; matches cannot overlap (each holds
    # one "="), so matching at the candidates equals findall over the window.
    starts = candidates.tolist()
    if not (exact or trailing or any(_FAR_REFERENCE.match(window, start) for start in starts)):
        return None
    big, wide = (_LOOSE_BIG_ROW, _LOOSE_WIDE_COLUMN) if trailing else (_BIG_ROW, _WIDE_COLUMN)
    big_rows = (big.match(window, start) for start in starts)
    wide_columns = (wide.match(window, start) for start in starts)
    return (max((int(match.group(1)) for match in big_rows if match), default=0),
            max((column_number(match.group(1)) for match in wide_columns if match), default=0), trailing)


def _last_row(window: bytes, loose: bool) -> int:
    """Exact last row referenced in one window (the exact pass only)."""
    return max(map(int, (_LOOSE_ANY_ROW if loose else _ANY_ROW).findall(window)), default=0)


def _equals_facts(data: np.ndarray, first: int, stop: int) -> tuple[bool, bool, np.ndarray]:
    """``(loose, trailing, far candidates)`` for the ``=`` at indices ``[first, stop)`` of ``data``.

    ``loose or trailing`` equals ``_needs_loose_scan`` restricted to those ``=`` (``data`` ending where the
    window ends, or at least ``_OVERLAP`` bytes after ``stop``); ``trailing`` alone means the only such ``=``
    ends the window (a chunk boundary, ~4% of 16 MB chunks). Unless ``loose``, the candidates are the indices
    of the ``r`` of every ``r="`` whose value starts with a space, two letters, 7 digits (6th byte a digit)
    or a letter and 7 digits (7th): a superset of the starts of the ``_FAR_REFERENCE``, ``_BIG_ROW``,
    ``_WIDE_COLUMN`` matches and, with only strict ``=``, of their loose forms. Gathers on the ``=``
    positions (4% of an xlsxwriter part) cost ~15 ms per 16 MB against ~60 ms for the two regex screens.
    """
    size = data.size
    equals = np.flatnonzero(data[first:stop] == _EQUALS)
    if first:
        equals += first
    trailing = bool(equals.size) and int(equals[-1]) == size - 1
    if trailing:
        equals = equals[:-1]
    if equals.size and equals[0] == 0:
        if data[1] != _QUOTE:
            return True, trailing, _NO_POSITIONS
        equals = equals[1:]  # nothing precedes the window's first byte
    if equals.size == 0:
        return False, trailing, _NO_POSITIONS
    # One index array (the byte before each "="); the other gathers read views shifted from it, which
    # saves an index allocation per offset.
    before_at = equals - 1
    if (data[2:].take(before_at) != _QUOTE).any():
        return True, trailing, _NO_POSITIONS
    before = data.take(before_at)
    # "<= space" first: one cheap pass over the gathered bytes; the exact set only when it fires.
    if (before <= _SPACE).any() and np.isin(before, _XML_SPACES).any():
        return True, trailing, _NO_POSITIONS
    starts = np.compress(before == _LETTER_R, before_at)  # the "r" of each r=" (2x faster than a mask index)
    if starts.size == 0:
        return False, trailing, _NO_POSITIONS
    head, second, sixth, seventh = (_value_byte(data, starts, offset) for offset in (0, 1, 6, 7))
    # 0 letters + 7 digits: digits at 0 and 6; 1 letter + 7 digits: digits at 6 and 7 (a 6-digit row has
    # its closing quote there, so ordinary cells of a million-row sheet pass).
    far = (head <= _SPACE) | (_is_letter(head) & _is_letter(second))
    far |= _is_digit(sixth) & (_is_digit(seventh) | _is_digit(head))
    return False, trailing, starts[far]


def _value_byte(data: np.ndarray, starts: np.ndarray, offset: int) -> np.ndarray:
    """The byte ``offset`` into the value of each ``r="`` starting at ``starts``; 0 past the data's end."""
    shift = 3 + offset  # r, =, " precede the value
    if int(starts[-1]) + shift < data.size:
        return data[shift:].take(starts)
    inside = starts + shift < data.size
    return np.where(inside, data.take(np.minimum(starts + shift, data.size - 1)), np.uint8(0))


def _is_letter(values: np.ndarray) -> np.ndarray:
    """ASCII letters, elementwise (uint8 arithmetic wraps, so one comparison bounds both ends)."""
    return ((values | np.uint8(0x20)) - np.uint8(ord("a"))) < 26


def _is_digit(values: np.ndarray) -> np.ndarray:
    """ASCII digits, elementwise."""
    return (values - np.uint8(ord("0"))) < 10


def _read_chunks(handle: IO[bytes], size: int) -> Generator[bytes, None, None]:
    """The non-empty ``handle.read(size)`` results, in order; after a first full one, read by a thread.

    Decompression (zlib, crc32) releases the GIL, as does numpy's screen, so the reader overlaps with the
    scan on a second core. A part shorter than one chunk (most sheets) starts no thread. Close the
    generator (``contextlib.closing``) so the thread is joined before the caller closes ``handle``.
    """
    chunk = handle.read(size)
    while 0 < len(chunk) < size:  # a short read: usually the end of a small part, read without a thread
        yield chunk
        chunk = handle.read(size)
    if not chunk:
        return
    yield chunk
    pending: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=_QUEUED_CHUNKS)
    stop = threading.Event()

    def put(item: bytes | BaseException) -> None:
        while not stop.is_set():  # a timeout, so an abandoned scan never leaves the reader blocked
            try:
                pending.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def fill() -> None:
        try:
            while not stop.is_set():
                chunk = handle.read(size)
                put(chunk)
                if not chunk:
                    return
        except BaseException as error:  # noqa: BLE001 - re-raised unchanged in the scanning thread
            put(error)

    reader = threading.Thread(target=fill, name="xlsx-extent-reader", daemon=True)
    reader.start()
    try:
        while True:
            item = pending.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                return
            yield item
    finally:
        stop.set()
        reader.join()


def _needs_loose_scan(window: bytes) -> bool:
    """True when some ``=`` is not directly followed by ``"`` or is preceded by whitespace.

    The regex form of ``_equals_facts``'s ``loose`` (kept as its reference in tests).
    """
    return bool(_EQUALS_WITHOUT_QUOTE.search(window) or _REVERSED_SPACE_BEFORE_EQUALS.search(window[::-1]))


def require_well_formed(content: bytes, part: str, file_name: str) -> None:
    """Refuse an ods ``content.xml`` that is not one well-formed XML document, before calamine reads it.

    python-calamine's ods reader never returns on a truncated ``content.xml`` (measured: a fuzzed seed cut
    inside a row spun for minutes; tests/corpus/ods_truncated_content_hang.ods), and no timeout can stop
    a Rust call. Expat checks the whole part in C (about 100 MB/s); a DOCTYPE is refused outright (no
    entity ever expands here, docs/reliability.md T1).

    Raises:
        ImportRejected: ``unreadable`` with the line and column expat stopped at; ``xml`` for a DOCTYPE.
    """
    from xml.parsers import expat

    from turnout_desktop.errors import ImportRejected

    parser = expat.ParserCreate()

    def refuse_doctype(*_args: object) -> None:
        raise ImportRejected(f"part {part!r} declares a DOCTYPE", reason="xml", file=file_name)

    parser.StartDoctypeDeclHandler = refuse_doctype
    try:
        parser.Parse(content, True)
    except expat.ExpatError as error:
        raise ImportRejected(f"part {part!r} is not well-formed XML (line {error.lineno}, column {error.offset}: "
                             f"{expat.errors.messages[error.code]})", reason="unreadable", file=file_name) from None


def ods_extent(content: bytes) -> tuple[int, int]:
    """Upper bounds ``(rows, columns)`` of the non-empty area of an ods ``content.xml``.

    Repeated rows/cells count only when they carry a value (LibreOffice pads every sheet with a
    million empty repeated rows; those are harmless). Rows are counted across all tables, which
    over-estimates a multi-sheet file but never under-estimates one sheet.
    """
    rows = 0
    last_value_row = 0
    widest = 0
    for row_match in _ODS_ROW.finditer(content):
        attributes, body = row_match.group(1), row_match.group(3) or b""
        repeat_match = _ROWS_REPEATED.search(attributes)
        repeat = int(repeat_match.group(1)) if repeat_match else 1
        width = _ods_row_width(body)
        rows += repeat if width else 1
        if width:
            last_value_row = rows
            widest = max(widest, width)
    return last_value_row, widest


def _ods_row_width(body: bytes) -> int:
    """Column of the last value-bearing cell of one ods row (0 when the row is empty)."""
    if b"office:value-type" not in body and b"<text:" not in body:
        return 0
    position = 0
    last_value = 0
    for cell in _ODS_CELL.finditer(body):
        attributes, content = cell.group(1), cell.group(3) or b""
        repeat_match = _COLUMNS_REPEATED.search(attributes)
        repeat = int(repeat_match.group(1)) if repeat_match else 1
        position += repeat
        if b"office:value-type" in attributes or b"<text:" in content:
            last_value = position
    return last_value
