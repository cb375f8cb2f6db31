"""Which reader reads a file: the sniffed format picks one module of ``READERS``; zips and JSON are unpacked here.

``read_raw`` runs the safety checks (``safety``) before any reader allocates, then dispatches on the content
type ``safety.sniff_kind`` finds (the extension is only a hint). Each reader builds the model of ``raw``; this
module imports the readers and they import ``raw`` only, so nothing imports back. Every unsafe or unreadable
input raises ``errors.ImportRejected`` (docs/reliability.md T1-T4); no other exception escapes ``read_raw``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import excel_reader, json_reader, safety, text_reader, text_stream
from turnout_desktop.ingest.readers.raw import RawWorkbook

if TYPE_CHECKING:
    from turnout_desktop.ingest.readers.text_stream import CsvStream

PARSERS = ("calamine", "openpyxl", "xlrd", "odf", "csv")
_PARSERS_BY_KIND = {"xlsx": ("calamine", "openpyxl"), "xls": ("xlrd", "calamine"), "ods": ("calamine", "odf"),
                    "text": ("csv",)}

# A reader: (bytes, display name, sniffed kind, forced parser, forced encoding) -> one workbook.
Reader = Callable[[bytes, str, str, str | None, str | None], RawWorkbook]


def _read_spreadsheet(data: bytes, file_name: str, kind: str, parser: str | None,
                      encoding: str | None) -> RawWorkbook:
    """xlsx / xls / ods through ``excel_reader`` (a forced encoding means nothing to a workbook)."""
    if parser == "csv":
        raise ImportRejected(f"a {kind} workbook cannot be read as csv", reason="unsupported_format",
                             file=file_name)
    return excel_reader.read_workbook(data, file_name, kind, parser=parser)


def _read_text(data: bytes, file_name: str, kind: str, parser: str | None, encoding: str | None) -> RawWorkbook:
    """csv / tsv / txt through ``text_reader``."""
    if parser not in (None, "csv"):
        raise ImportRejected(f"a text file cannot be read with {parser}", reason="unsupported_format",
                             file=file_name)
    return text_reader.read_text(data, file_name, encoding=encoding)


# Sniffed kind -> reader. JSON is text that ``json_reader`` recognises first (see ``_read_any``); zip archives
# are opened here and each member goes through this table again.
READERS: dict[str, Reader] = {
    "xlsx": _read_spreadsheet,
    "xls": _read_spreadsheet,
    "ods": _read_spreadsheet,
    "text": _read_text,
}


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
    """Stream a big statewide csv (or the csv inside a zip); see ``text_stream.iter_csv_chunks``."""
    return text_stream.iter_csv_chunks(path, chunk_rows=chunk_rows, encoding=encoding, member=member)


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
    if not data:
        raise ImportRejected("the file is empty", reason="empty", file=file_name)
    safety.check_container_size(data, file_name)
    kind = safety.sniff_kind(data, file_name)
    safety.check_bytes(data, file_name, kind)
    if kind == "zip":
        return _read_zip(data, file_name, parser=parser, encoding=encoding, depth=depth)
    if depth > 0 and parser is not None and parser not in _PARSERS_BY_KIND.get(kind, ()):
        parser = None  # a forced parser applies to the archive members it can read; the others read as usual
    if kind == "text" and parser is None and json_reader.looks_like_json(data):
        safety.check_json_size(len(data), file_name)
        from_json = json_reader.read_json(data, file_name, lambda payload, name: _read_any(
            payload, name, parser=None, encoding=encoding, depth=depth, in_envelope=True), in_envelope=in_envelope,
            required=file_name.lower().endswith(".json"))
        if from_json is not None:
            return from_json
    reader = READERS.get(kind)
    if reader is not None:
        return [reader(data, file_name, kind, parser, encoding)]
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
