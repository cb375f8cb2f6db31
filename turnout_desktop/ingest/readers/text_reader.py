"""csv / tsv / txt reading: encoding and delimiter detection, exact text cells, safety limits.

``read_text`` turns a whole (county-sized) text file into one ``RawWorkbook`` (split by pyarrow through
``text_fast`` when that provably equals Python's ``csv``, else by ``csv.reader``); ``text_stream`` reuses
its decoding and sniffing to stream a big statewide file chunk by chunk.
Cells are always ``str`` (NFC) or ``None`` for an empty field; nothing is converted to a number.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety, text_fast
from turnout_desktop.ingest.readers.blank_lines import drop_blank_lines
from turnout_desktop.ingest.readers.mixed_encoding import split_mixed_utf8
from turnout_desktop.ingest.readers.raw import RawSheet, RawWorkbook, gc_paused

DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
SNIFF_LINES = 50
# Share of C0 control characters (other than TAB/LF/CR/FF/0x1A) above which text is called binary.
MAX_CONTROL_SHARE = 0.01
_CONTROL_CHARACTERS = re.compile(r"[\x01-\x08\x0b\x0e-\x19\x1b-\x1f]")


def decode_text(data: bytes, file_name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes: BOM, then strict UTF-8, then cp1252, then latin-1 (docs/data-formats.md section 4).

    Args:
        data: raw file bytes.
        file_name: display name for messages.
        encoding: force this encoding (strategy E); a decoding error is then a rejection.

    Returns:
        ``(text, encoding_used)``.

    Raises:
        ImportRejected: ``binary`` for NUL bytes, ``encoding`` when a forced encoding does not fit.
    """
    if encoding is not None:
        try:
            text = data.decode(_codec_for(encoding, data))
        except (UnicodeDecodeError, LookupError) as error:
            raise ImportRejected(f"the file is not valid {encoding} ({error})"[:300], reason="encoding",
                                 file=file_name) from None
        _refuse_binary(text, file_name)
        return text, encoding
    decoded: str | None
    if data.startswith(b"\xef\xbb\xbf"):
        chosen, decoded = "utf-8-sig", _decode_or_none(data, "utf-8-sig")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        chosen, decoded = "utf-16", _decode_or_none(data, "utf-16")
    else:
        if b"\x00" in data:
            raise ImportRejected("the file contains NUL bytes: it is binary, not text", reason="binary",
                                 file=file_name)
        chosen, decoded = "utf-8", _decode_or_none(data, "utf-8")
        if decoded is None:
            chosen, decoded = "cp1252", _decode_or_none(data, "cp1252")
        if decoded is None:
            chosen, decoded = "latin-1", data.decode("latin-1")
    if decoded is None:
        raise ImportRejected(f"the file starts with a {chosen} byte-order mark but is not valid {chosen}",
                             reason="encoding", file=file_name)
    text = decoded
    _refuse_binary(text, file_name)
    return text, chosen


def clean_text(text: str) -> str:
    """Remove stray CRs, the DOS end-of-file byte (0x1A) and trailing blank lines; NFC-normalise."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        # A file with CR only is an old Mac file (CR is the line break); otherwise a leftover CR is junk.
        text = text.replace("\r", "\n") if "\n" not in text else text.replace("\r", "")
    # Trailing lines of spaces, TABs and 0x1A go, in C (a file padded with millions of them costs no
    # Python call per line); the last line that holds anything keeps its own trailing spaces.
    content_end = len(text.rstrip("\n \t\x1a"))
    line_end = text.find("\n", content_end)
    text = text[:content_end if content_end == 0 else (len(text) if line_end < 0 else line_end)].rstrip("\x1a")
    if text and not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def sniff_delimiter(text: str, file_name: str = "") -> str:
    """Pick the delimiter among comma, TAB, semicolon and pipe that splits the sample most consistently."""
    sample_lines = text[: 256 * 1024].split("\n")[:SNIFF_LINES]
    if len(sample_lines) > 1 and len(text) > 256 * 1024:
        sample_lines = sample_lines[:-1]  # the last sampled line may be cut in half
    sample = "\n".join(sample_lines)
    best, best_score = ",", (0, 0, 0)
    preferred = "\t" if PurePosixPath(file_name).suffix.lower() in (".tsv", ".tab") else ","
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row]
        except csv.Error:
            continue
        wide = [width for width in widths if width > 1]
        if not wide:
            continue
        modal_width, agreeing = Counter(wide).most_common(1)[0]
        score = (agreeing, modal_width, 1 if delimiter == preferred else 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_rows(text: str, delimiter: str, file_name: str, max_rows: int | None = None) -> list[list[str]]:
    """Split text into rows of fields, refusing unterminated quotes and over-limit shapes.

    Raises:
        ImportRejected: ``malformed_csv``, ``too_many_rows`` or ``too_many_columns``.
    """
    max_rows = safety.MAX_CSV_ROWS if max_rows is None else max_rows
    try:
        return _parse(text, delimiter, file_name, max_rows, strict=True)
    except csv.Error as error:
        message = str(error)
        if "unexpected end of data" in message or "field larger than field limit" in message:
            raise ImportRejected("a quoted field never ends (unterminated quote swallows the rest of the file)",
                                 reason="malformed_csv", file=file_name) from None
    # A stray quote inside an unquoted field is common in county exports: read leniently.
    try:
        return _parse(text, delimiter, file_name, max_rows, strict=False)
    except csv.Error as error:
        raise ImportRejected(f"the csv cannot be parsed ({error})", reason="malformed_csv", file=file_name) from None


def read_text(data: bytes, file_name: str, *, encoding: str | None = None) -> RawWorkbook:
    """Read a csv/tsv/txt file into a one-sheet workbook of text cells.

    Args:
        data: raw bytes.
        file_name: display name; its extension biases the delimiter choice (``.tsv`` prefers TAB).
        encoding: force an encoding instead of detecting one.

    Raises:
        ImportRejected: ``empty``, ``binary``, ``encoding``, ``malformed_csv``, ``too_many_rows``,
            ``too_many_columns``.
    """
    text, used = decode_text(data, file_name, encoding)
    mixed_rows: list[int] = []
    if encoding is None and used in ("cp1252", "latin-1") and (mixed := split_mixed_utf8(data)) is not None:
        (text, mixed_rows), used = mixed, "utf-8"  # blocking mixed_encoding rows, never silent mojibake
    text = clean_text(text)
    if not text.strip():
        raise ImportRejected("the file holds no text", reason="empty", file=file_name)
    delimiter = sniff_delimiter(text, file_name)
    # Blank lines never reach a parser: a file padded with millions of them is read at regex speed.
    kept, row_numbers = drop_blank_lines(text, delimiter)
    columns = _split(kept, delimiter, file_name)
    if row_numbers is not None and len(row_numbers) != (len(columns[0]) if columns else 0):
        # A quoted line break made rows and lines differ: no line map fits, read every line instead.
        columns, row_numbers = _split(text, delimiter, file_name), None
    notes = [f"delimiter: {DELIMITER_NAMES[delimiter]}"]
    if encoding is None and used in ("cp1252", "latin-1"):
        notes.insert(0, f"encoding fallback: {used}")
    elif encoding is not None:
        notes.insert(0, f"encoding forced: {used}")
    return RawWorkbook(file_name=file_name, parser="csv", encoding=used,
                       sheets=[RawSheet("", columns, row_numbers=row_numbers)], notes=notes, content=data,
                       mixed_encoding_rows=mixed_rows)


def _split(text: str, delimiter: str, file_name: str) -> Sequence[Sequence[object]]:
    """Columns of cleaned text: pyarrow where it provably equals Python's ``csv``, else Python's ``csv``."""
    with gc_paused():
        columns = text_fast.parse_columns(text, delimiter, safety.MAX_CSV_ROWS, safety.MAX_COLUMNS)
    if columns is None:  # quoting or row shapes pyarrow cannot be trusted with: Python's csv decides
        return list(rows_to_columns(parse_rows(text, delimiter, file_name)))
    return columns


def rows_to_columns(rows: list[list[str]]) -> list[list[object]]:
    """Transpose ragged text rows into equal-length columns; empty fields become None."""
    width = max(map(len, rows), default=0)
    if width == 0:
        return []
    with gc_paused():
        if any(len(row) != width for row in rows):
            rows = [row + [""] * (width - len(row)) if len(row) != width else row for row in rows]
        return [[value or None for value in column] for column in zip(*rows, strict=True)]


def _parse(text: str, delimiter: str, file_name: str, max_rows: int, *, strict: bool) -> list[list[str]]:
    """One csv pass with the module's default field-size limit (it stops runaway quoted fields)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True,
                        strict=strict)
    with gc_paused():
        rows = list(itertools.islice(reader, max_rows + 1))
    if len(rows) > max_rows:
        raise ImportRejected(f"the file has more than {max_rows:,} rows", reason="too_many_rows", file=file_name)
    widest = max(map(len, rows), default=0)
    if widest > safety.MAX_COLUMNS:
        at = next(index for index, row in enumerate(rows, start=1) if len(row) == widest)
        raise ImportRejected(f"row {at} has {widest} columns; the limit is {safety.MAX_COLUMNS}",
                             reason="too_many_columns", file=file_name, row=at)
    return rows


def _codec_for(encoding: str, data: bytes) -> str:
    """The Python codec for a requested encoding (``utf-8`` also swallows a BOM when present)."""
    if encoding in ("utf-8", "utf-8-sig") and data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    return encoding


def _decode_or_none(data: bytes, codec: str) -> str | None:
    """Strict decode, or None when the bytes do not fit the codec."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _refuse_binary(text: str, file_name: str) -> None:
    """Reject decoded text that holds NULs or is mostly control characters (a binary file)."""
    if "\x00" in text:
        raise ImportRejected("the file contains NUL characters: it is binary, not text", reason="binary",
                             file=file_name)
    sample = text[:65536]
    if sample and len(_CONTROL_CHARACTERS.findall(sample)) > MAX_CONTROL_SHARE * len(sample) + 2:
        raise ImportRejected("the file is mostly control characters: it is binary, not text", reason="binary",
                             file=file_name)
