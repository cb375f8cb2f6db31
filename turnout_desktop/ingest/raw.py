"""Raw, typed cells of every sheet of a county file: the layer below header detection.

``read_raw`` turns the bytes of one uploaded file (xlsx/xlsm/xls/ods/csv/tsv/txt, or a zip of
those) into ``RawWorkbook`` objects whose sheets hold every row exactly as stored: text stays
text (NFC), numbers stay numbers, dates stay dates, empty cells are ``None``. Row index ``i`` is
spreadsheet row ``i + 1``, except in a text file with empty lines: those are dropped before the
text is split (``blank_lines``) and ``RawSheet.row_numbers`` keeps each row's own line number, so
pre-check still reports the county's own row numbers. Every unsafe or unreadable input raises
``errors.ImportRejected`` (docs/reliability.md T1-T4); no other exception escapes ``read_raw``.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest import safety

if TYPE_CHECKING:
    import numpy as np

    from turnout_desktop.ingest.text_reader import CsvStream

PARSERS = ("calamine", "openpyxl", "xlrd", "odf", "csv")
CSV_ENCODINGS = ("utf-8-sig", "utf-16", "utf-8", "cp1252", "latin-1")
_PARSERS_BY_KIND = {"xlsx": ("calamine", "openpyxl"), "xls": ("xlrd", "calamine"), "ods": ("calamine", "odf"),
                    "text": ("csv",)}


@dataclass
class RawSheet:
    """One sheet (or the single table of a csv), column-major.

    Attributes:
        name: sheet name; ``""`` for csv/tsv/txt.
        columns: ``columns[c][r]`` is the cell in column ``c`` of row ``r``; every column has the same
            length; row ``r`` is spreadsheet row ``r + 1`` (blank rows kept) unless ``row_numbers`` is set.
        hidden: True when the workbook marks the sheet hidden or very hidden.
        row_numbers: text files whose empty lines were dropped: the ascending 1-based line number of
            each row (``None``: row ``r`` is line ``r + 1``).
    """

    name: str
    columns: Sequence[Sequence[object]]  # lists, or Arrow-backed arrow_text.ArrowText columns
    hidden: bool = False
    row_numbers: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        """Number of rows (0 for a sheet without cells)."""
        return len(self.columns[0]) if self.columns else 0

    @property
    def n_columns(self) -> int:
        """Number of columns."""
        return len(self.columns)

    def row(self, index: int) -> list[object]:
        """Cells of the 0-based row ``index`` (spreadsheet row ``row_number(index)``)."""
        return [column[index] for column in self.columns]

    def row_number(self, index: int) -> int:
        """The file's own 1-based row number of the 0-based row ``index``."""
        return index + 1 if self.row_numbers is None else int(self.row_numbers[index])

    def index_of_row(self, number: int) -> int | None:
        """The 0-based index of the file's row ``number``, or None when that row was an empty line dropped."""
        if self.row_numbers is None:
            return number - 1 if 0 < number <= self.n_rows else None
        import numpy as np  # only text files with dropped empty lines carry row numbers

        position = int(np.searchsorted(self.row_numbers, number))
        found = position < len(self.row_numbers) and self.row_numbers[position] == number
        return position if found else None


@dataclass
class RawWorkbook:
    """Everything read from one file (or one zip member).

    Attributes:
        file_name: display name; a zip member is ``"archive.zip/member.csv"``.
        parser: ``calamine`` | ``openpyxl`` | ``xlrd`` | ``odf`` | ``csv``.
        encoding: csv family only: the encoding that decoded the text.
        sheets: sheets in workbook order.
        notes: informational remarks, e.g. ``"encoding fallback: cp1252"``.
        content: the exact bytes this workbook was read from (the member's bytes for zip members).
        mixed_encoding_rows: csv family only: 1-based lines that are not UTF-8 in a file that otherwise is.
    """

    file_name: str
    parser: str
    encoding: str | None
    sheets: list[RawSheet]
    notes: list[str] = field(default_factory=list)
    content: bytes = b""
    mixed_encoding_rows: list[int] = field(default_factory=list)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of cell objects are created.

    Building a million-row sheet allocates tens of millions of objects and triggers a collection
    every 700 of them; with collection paused the conversion is about ten times faster (measured).
    Nothing created here forms reference cycles, so nothing is leaked.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_raw(data: bytes, file_name: str, *, parser: str | None = None,
             encoding: str | None = None) -> list[RawWorkbook]:
    """Read one uploaded file into raw workbooks, refusing anything unsafe.

    Args:
        data: the file's bytes.
        file_name: display name (its extension is a hint; the content decides the format).
        parser: force a reader (``calamine``/``openpyxl``/``xlrd``/``odf``/``csv``) instead of the default.
        encoding: force a text encoding for csv/tsv/txt.

    Returns:
        One workbook for a spreadsheet or text file; one per readable member for a zip archive.

    Raises:
        ImportRejected: with a stable ``reason`` (``empty``, ``too_large``, ``zip_bomb``, ``encrypted``,
            ``xml``, ``too_many_columns``, ``too_many_rows``, ``malformed_csv``, ``binary``,
            ``unsupported_format``, ``unreadable``).
    """
    if parser is not None and parser not in PARSERS:
        raise ImportRejected(f"unknown parser {parser!r}", reason="unsupported_format", file=file_name)
    try:
        return _read_any(data, file_name, parser=parser, encoding=encoding, depth=0)
    except ImportRejected:
        raise
    except (MemoryError, RecursionError) as error:
        raise ImportRejected(f"file is too complex to read ({type(error).__name__})", reason="too_large",
                             file=file_name) from None
    except Exception as error:  # noqa: BLE001 - contract: only ImportRejected leaves this function
        raise ImportRejected(f"file could not be read: {type(error).__name__}: {error}"[:300],
                             reason="unreadable", file=file_name) from None


def read_raw_path(path: Path, *, parser: str | None = None, encoding: str | None = None) -> list[RawWorkbook]:
    """Read a file from disk: the size limit is checked before any byte is loaded.

    Args:
        path: the file.
        parser: see ``read_raw``.
        encoding: see ``read_raw``.

    Raises:
        ImportRejected: as ``read_raw``; also ``unreadable`` when the file cannot be opened.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ImportRejected(f"cannot open file: {error.strerror or error}", reason="unreadable",
                             file=path.name) from None
    safety.check_file_size(size, path.name)
    if path.suffix.lower() == ".json":
        safety.check_json_size(size, path.name)  # before the bytes are loaded
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportRejected(f"cannot read file: {error.strerror or error}", reason="unreadable",
                             file=path.name) from None
    return read_raw(data, path.name, parser=parser, encoding=encoding)


def iter_csv_chunks(path: Path, *, chunk_rows: int = 200_000, encoding: str | None = None,
                    member: str | None = None) -> CsvStream:
    """Stream a big statewide csv (or the csv inside a zip); see ``text_reader.iter_csv_chunks``."""
    from turnout_desktop.ingest.text_reader import iter_csv_chunks as open_stream

    return open_stream(path, chunk_rows=chunk_rows, encoding=encoding, member=member)


def alternative_parsers(workbook: RawWorkbook) -> list[dict]:
    """Other ways to read the same bytes (strategy E re-parses with each in turn).

    Args:
        workbook: a workbook returned by ``read_raw``.

    Returns:
        Keyword-argument dicts for ``read_raw`` (``parser=`` or ``encoding=``), most promising first;
        the way ``workbook`` was read is not included.
    """
    if workbook.parser == "json":
        return []  # JSON has one reading
    if workbook.parser == "csv":
        # utf-16 is only ever right when the bytes say so (BOM); the 8-bit ones are the usual confusion.
        return [{"encoding": name} for name in ("utf-8", "cp1252", "latin-1") if name != workbook.encoding]
    kind = safety.sniff_kind(workbook.content, workbook.file_name)
    return [{"parser": name} for name in _PARSERS_BY_KIND.get(kind, ()) if name != workbook.parser]


def _read_any(data: bytes, file_name: str, *, parser: str | None, encoding: str | None,
              depth: int, in_envelope: bool = False) -> list[RawWorkbook]:
    """Dispatch on the sniffed content type (see ``safety.sniff_kind``)."""
    from turnout_desktop.ingest import excel_reader, json_reader, text_reader

    if not data:
        raise ImportRejected("the file is empty", reason="empty", file=file_name)
    safety.check_container_size(data, file_name)
    kind = safety.sniff_kind(data, file_name)
    safety.check_bytes(data, file_name, kind)
    if kind == "zip":
        return _read_zip(data, file_name, parser=parser, encoding=encoding, depth=depth)
    if depth > 0 and parser is not None and parser not in _PARSERS_BY_KIND.get(kind, ()):
        parser = None  # a forced parser applies to the archive members it can read; the others read as usual
    if kind in ("xlsx", "xls", "ods"):
        if parser == "csv":
            raise ImportRejected(f"a {kind} workbook cannot be read as csv", reason="unsupported_format",
                                 file=file_name)
        return [excel_reader.read_workbook(data, file_name, kind, parser=parser)]
    if kind == "text" and parser is None and json_reader.looks_like_json(data):
        safety.check_json_size(len(data), file_name)
        from_json = json_reader.read_json(data, file_name, lambda payload, name: _read_any(
            payload, name, parser=None, encoding=encoding, depth=depth, in_envelope=True), in_envelope=in_envelope,
            required=file_name.lower().endswith(".json"))
        if from_json is not None:
            return from_json
    if kind == "text":
        if parser not in (None, "csv"):
            raise ImportRejected(f"a text file cannot be read with {parser}", reason="unsupported_format",
                                 file=file_name)
        return [text_reader.read_text(data, file_name, encoding=encoding)]
    raise ImportRejected(safety.unsupported_message(data, file_name), reason="unsupported_format",
                         file=file_name)


def _read_zip(data: bytes, file_name: str, *, parser: str | None, encoding: str | None,
              depth: int) -> list[RawWorkbook]:
    """Read every spreadsheet/text member of a (generic) zip archive, after the bomb checks."""
    if depth >= 1:
        raise ImportRejected("a zip archive inside a zip archive is not accepted", reason="unsupported_format",
                             file=file_name)
    archive = safety.open_zip(data, file_name)
    workbooks: list[RawWorkbook] = []
    skipped: list[str] = []
    with archive:
        for info in archive.infolist():
            if info.is_dir() or safety.is_junk_member(info.filename):
                continue
            member_name = f"{file_name}/{info.filename}"
            suffix = PurePosixPath(info.filename).suffix.lower()
            if suffix not in safety.MEMBER_SUFFIXES:
                skipped.append(info.filename)
                continue
            member = safety.read_member(archive, info, member_name)
            if not member:
                skipped.append(info.filename)
                continue
            workbooks.extend(_read_any(member, member_name, parser=parser, encoding=encoding, depth=depth + 1))
    if not workbooks:
        raise ImportRejected("the zip archive holds no csv, tsv, txt, xlsx, xls or ods file",
                             reason="unsupported_format" if skipped else "empty", file=file_name)
    if skipped:
        workbooks[0].notes.append("zip members skipped: " + ", ".join(skipped[:20]))
    return workbooks
