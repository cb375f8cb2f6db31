"""Checks that run before any parser sees a county file (docs/reliability.md T1, T2, T4).

Each check raises ``errors.ImportRejected`` with a stable ``reason``; the limits are module
constants so the GUI/CLI can quote them. The DOCTYPE/ENTITY scan of workbook XML parts is in ``xml_prolog``.
No Qt, no database.
"""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import PurePosixPath
from typing import BinaryIO

from turnout_desktop.domain.limits import DEFAULT_JSON_MAX_MB
from turnout_desktop.errors import ImportRejected

MiB = 1024 * 1024
MAX_SPREADSHEET_BYTES = 50 * MiB       # xlsx/xlsm/xls/ods file size
MAX_ARCHIVE_BYTES = 50 * MiB           # zip file size (members are bounded by MAX_ZIP_UNCOMPRESSED_BYTES)
MAX_CSV_BYTES = 1024 * MiB             # csv/tsv/txt file size
MAX_ZIP_MEMBERS = 1_000
MAX_ZIP_UNCOMPRESSED_BYTES = 500 * MiB  # declared total of all members
MAX_ZIP_RATIO = 100                    # uncompressed : compressed, per member
ZIP_RATIO_MIN_BYTES = 64 * 1024        # members smaller than this cannot be a bomb; their ratio is ignored
MAX_COLUMNS = 256
MAX_SHEET_ROWS = 1_048_576             # Excel's own limit
MAX_CSV_ROWS = 5_000_000
# Dense cells of one sheet (last row x last column, from A1): calamine allocates the whole rectangle,
# so one far-away cell reference ("IV1048576") in a 5 KB file would otherwise abort the process.
MAX_SHEET_CELLS = 32 * MiB
MAX_XML_PROLOG_CHARS = 1_000_000       # an XML part whose prolog is longer than this is refused
# JSON (Civix envelopes): json.loads holds the whole document and its base64 text at once. The shared
# setting json_envelope_max_mb (db/settings_store.py) overrides DEFAULT_JSON_MAX_MB (domain/limits.py) for a
# submit, through json_limit().
_JSON_MAX_MB: ContextVar[int] = ContextVar("json_envelope_max_mb", default=DEFAULT_JSON_MAX_MB)

EXPECTED_FORMATS = "a csv, tsv, txt, xlsx, xlsm, xls, ods or json file (or a zip of those)"
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}  # .xlsb only to refuse it by name
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".dat", ""}
MEMBER_SUFFIXES = SPREADSHEET_SUFFIXES | TEXT_SUFFIXES

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a bitmap image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"RIFF", "a RIFF media file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
    (b"{\\rtf", "an RTF document"),
)


def check_file_size(size: int, file_name: str) -> None:
    """Refuse a file on disk by size alone, before reading it (the limit depends on the extension).

    Raises:
        ImportRejected: ``empty`` or ``too_large``.
    """
    if size == 0:
        raise ImportRejected("the file is empty", reason="empty", file=file_name)
    suffix = PurePosixPath(file_name).suffix.lower()
    limit = MAX_SPREADSHEET_BYTES if suffix in SPREADSHEET_SUFFIXES else (
        MAX_ARCHIVE_BYTES if suffix == ".zip" else MAX_CSV_BYTES)
    if size > limit:
        raise ImportRejected(f"the file is {size / MiB:.1f} MB; the limit is {limit // MiB} MB",
                             reason="too_large", file=file_name)


@contextlib.contextmanager
def json_limit(megabytes: int) -> Iterator[None]:
    """Use ``megabytes`` as the JSON size limit for the reads inside the block (this thread only)."""
    token = _JSON_MAX_MB.set(megabytes)
    try:
        yield
    finally:
        _JSON_MAX_MB.reset(token)


def check_json_size(size: int, file_name: str) -> None:
    """Refuse a JSON document above the limit before it is parsed (a 419 MB envelope took 1.85 GB).

    Raises:
        ImportRejected: ``too_large``, naming the limit and the setting that changes it.
    """
    limit = _JSON_MAX_MB.get()
    if size > limit * MiB:
        raise ImportRejected(f"the JSON file is {size / MiB:.1f} MB; the limit is {limit} MB "
                             f"(shared setting json_envelope_max_mb)", reason="too_large", file=file_name)


def check_container_size(data: bytes, file_name: str) -> None:
    """Refuse an oversized zip/OLE2 container by its magic bytes alone, before it is opened at all.

    Raises:
        ImportRejected: ``too_large``.
    """
    if data.startswith((b"PK", _OLE2_MAGIC)) and len(data) > max(MAX_SPREADSHEET_BYTES, MAX_ARCHIVE_BYTES):
        limit = max(MAX_SPREADSHEET_BYTES, MAX_ARCHIVE_BYTES)
        raise ImportRejected(f"the file is {len(data) / MiB:.1f} MB; the limit is {limit // MiB} MB",
                             reason="too_large", file=file_name)
    if len(data) > MAX_CSV_BYTES:
        raise ImportRejected(f"the file is {len(data) / MiB:.1f} MB; the limit is {MAX_CSV_BYTES // MiB} MB",
                             reason="too_large", file=file_name)


def sniff_kind(data: bytes, file_name: str) -> str:
    """Classify bytes by content (the extension is only a tie-breaker).

    Returns:
        ``empty``, ``xlsx``, ``ods``, ``zip``, ``xls``, ``encrypted``, ``text`` or ``unknown``.

    Raises:
        ImportRejected: ``unreadable`` for a damaged/truncated zip container.
    """
    if not data:
        return "empty"
    if data.startswith(_OLE2_MAGIC):
        return "encrypted" if _ENCRYPTED_PACKAGE in data else "xls"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_kind(data, file_name)
    if any(data.startswith(magic) for magic, _ in _SIGNATURES):
        return "unknown"
    return "text"


def unsupported_message(data: bytes, file_name: str) -> str:
    """A sentence saying what the bytes look like and what was expected."""
    looks = next((label for magic, label in _SIGNATURES if data.startswith(magic)), "an unrecognised binary file")
    return f"{file_name} looks like {looks}; expected {EXPECTED_FORMATS}"


def check_bytes(data: bytes, file_name: str, kind: str) -> None:
    """Refuse empty, oversized, encrypted or wrong-typed content.

    Args:
        data: the file's bytes.
        file_name: display name for messages.
        kind: the result of ``sniff_kind``.

    Raises:
        ImportRejected: ``empty``, ``too_large``, ``encrypted`` or ``unsupported_format``.
    """
    if kind == "empty" or not data:
        raise ImportRejected("the file is empty", reason="empty", file=file_name)
    limit = {"xlsx": MAX_SPREADSHEET_BYTES, "xls": MAX_SPREADSHEET_BYTES, "ods": MAX_SPREADSHEET_BYTES,
             "encrypted": MAX_SPREADSHEET_BYTES, "zip": MAX_ARCHIVE_BYTES}.get(kind, MAX_CSV_BYTES)
    if len(data) > limit:
        raise ImportRejected(f"the file is {len(data) / MiB:.1f} MB; the limit is {limit // MiB} MB",
                             reason="too_large", file=file_name)
    if kind == "encrypted":
        raise ImportRejected("the workbook is password-protected; save it without a password and upload again",
                             reason="encrypted", file=file_name)
    suffix = PurePosixPath(file_name).suffix.lower()
    if kind == "text" and suffix in SPREADSHEET_SUFFIXES:
        raise ImportRejected(f"{file_name} is named like a {suffix[1:]} workbook but is not one; "
                             f"expected {EXPECTED_FORMATS}", reason="unsupported_format", file=file_name)


def open_zip(data: bytes, file_name: str) -> zipfile.ZipFile:
    """Open a zip container held in memory after refusing bombs and encryption (nothing is decompressed yet).

    Raises:
        ImportRejected: ``zip_bomb``, ``encrypted`` or ``unreadable``.
    """
    return open_zip_stream(io.BytesIO(data), file_name)


def open_zip_stream(handle: BinaryIO, file_name: str, *,
                    max_total: int = MAX_ZIP_UNCOMPRESSED_BYTES) -> zipfile.ZipFile:
    """Open a zip container from a seekable binary stream after the bomb and encryption checks.

    Args:
        handle: seekable binary stream positioned anywhere.
        file_name: display name for messages.
        max_total: limit on the declared uncompressed total (bigger for a statewide csv archive).

    Raises:
        ImportRejected: ``zip_bomb``, ``encrypted`` or ``unreadable``.
    """
    try:
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(max(size - (22 + 65535), 0))
        tail = handle.read()
        handle.seek(0)
    except (OSError, ValueError) as error:
        raise ImportRejected(f"cannot read the archive ({error})", reason="unreadable", file=file_name) from None
    declared = _declared_member_count(tail)
    if declared is not None and declared > MAX_ZIP_MEMBERS:
        raise ImportRejected(f"the archive declares {declared} members; the limit is {MAX_ZIP_MEMBERS}",
                             reason="zip_bomb", file=file_name)
    try:
        archive = zipfile.ZipFile(handle)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error,
            UnicodeDecodeError, NotImplementedError) as error:
        raise ImportRejected(f"the zip container is damaged or truncated ({error})"[:300], reason="unreadable",
                             file=file_name) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        archive.close()
        raise ImportRejected(f"the archive holds {len(infos)} members; the limit is {MAX_ZIP_MEMBERS}",
                             reason="zip_bomb", file=file_name)
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            archive.close()
            raise ImportRejected("the archive is password-protected", reason="encrypted", file=file_name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > ZIP_RATIO_MIN_BYTES and ratio > MAX_ZIP_RATIO:
            archive.close()
            raise ImportRejected(f"member {info.filename!r} expands {ratio:.0f}:1; the limit is {MAX_ZIP_RATIO}:1",
                                 reason="zip_bomb", file=file_name)
    if total > max_total:
        archive.close()
        raise ImportRejected(f"the archive expands to {total / MiB:.0f} MB; the limit is "
                             f"{max_total // MiB} MB", reason="zip_bomb", file=file_name)
    return archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, display_name: str) -> bytes:
    """Decompress one member (never more than its declared size; the CRC is verified).

    Raises:
        ImportRejected: ``unreadable`` (corrupt), ``encrypted`` or ``unsupported_format`` (compression method).
    """
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except NotImplementedError as error:
        raise ImportRejected(f"unsupported zip compression ({error})", reason="unsupported_format",
                             file=display_name) from None
    except RuntimeError as error:
        raise ImportRejected(f"the member is encrypted ({error})", reason="encrypted", file=display_name) from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error, KeyError) as error:
        raise ImportRejected(f"the zip member is damaged ({error})"[:300], reason="unreadable",
                             file=display_name) from None
    if len(data) > info.file_size:
        raise ImportRejected("the zip member is larger than declared", reason="zip_bomb", file=display_name)
    return data


def check_sheet_extent(archive: zipfile.ZipFile, file_name: str, kind: str) -> None:
    """Refuse sheets whose cell references span more than the row/column/cell limits, before calamine.

    Args:
        archive: the opened xlsx/ods container (already through ``open_zip``).
        file_name: display name for messages.
        kind: ``xlsx`` or ``ods``.

    Raises:
        ImportRejected: ``too_many_rows``, ``too_many_columns`` or ``too_many_cells``.
    """
    from turnout_desktop.ingest.readers import sheet_extent, sheet_positions

    if kind == "xlsx":
        parts = sheet_extent.xlsx_worksheet_parts(archive)
    else:
        parts = {"content.xml"} & set(archive.namelist())
    for part in sorted(parts):
        info = archive.getinfo(part)
        with archive.open(info) as handle:
            try:
                if kind == "xlsx":
                    screen = sheet_positions.PlainCellScreen()
                    rows, columns = sheet_extent.xlsx_extent(handle, MAX_SHEET_CELLS, observe=screen)
                    if screen.found:  # cells without r=: count where calamine's running position puts them
                        with archive.open(info) as again:
                            plain_rows, plain_columns = sheet_positions.plain_cell_extent(
                                again, stop_beyond_row=MAX_SHEET_ROWS)
                        rows, columns = max(rows, plain_rows), max(columns, plain_columns)
                else:
                    content = handle.read()
                    sheet_extent.require_well_formed(content, part, file_name)
                    rows, columns = sheet_extent.ods_extent(content)
            except sheet_positions.SheetStructureError as error:
                raise ImportRejected(f"part {part!r}: {error}"[:300], reason="unreadable", file=file_name) from None
            except (zipfile.BadZipFile, OSError, EOFError, struct.error, ValueError) as error:
                raise ImportRejected(f"part {part!r} is damaged ({error})"[:300], reason="unreadable",
                                     file=file_name) from None
        where = f"part {info.filename!r}"
        if columns > MAX_COLUMNS:
            raise ImportRejected(f"{where} reaches column {columns}; the limit is {MAX_COLUMNS}",
                                 reason="too_many_columns", file=file_name)
        if rows > MAX_SHEET_ROWS:  # the tag count stops soon after the limit: "at least"
            raise ImportRejected(f"{where} reaches row {rows:,} or beyond; the limit is {MAX_SHEET_ROWS:,}",
                                 reason="too_many_rows", file=file_name)
        if rows * columns > MAX_SHEET_CELLS:
            raise ImportRejected(f"{where} spans {rows:,} rows x {columns} columns; the limit is "
                                 f"{MAX_SHEET_CELLS:,} cells", reason="too_many_cells", file=file_name)


def is_junk_member(name: str) -> bool:
    """True for archive members that are operating-system clutter (macOS forks, Office lock files)."""
    path = PurePosixPath(name)
    return path.parts[:1] == ("__MACOSX",) or path.name.startswith((".", "~$")) or path.name == "Thumbs.db"


def _zip_kind(data: bytes, file_name: str) -> str:
    """``xlsx``/``ods`` for Office containers, ``zip`` for any other archive."""
    declared = _declared_member_count(data[-(22 + 65535):])
    if declared is not None and declared > MAX_ZIP_MEMBERS:
        raise ImportRejected(f"the archive declares {declared} members; the limit is {MAX_ZIP_MEMBERS}",
                             reason="zip_bomb", file=file_name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error,
            UnicodeDecodeError, NotImplementedError) as error:
        raise ImportRejected(f"the file is a damaged or truncated zip container ({error})"[:300],
                             reason="unreadable", file=file_name) from None
    if "xl/workbook.bin" in names:
        raise ImportRejected("binary workbooks (.xlsb) are not accepted; save as .xlsx", reason="unsupported_format",
                             file=file_name)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and ("mimetype" in names or "META-INF/manifest.xml" in names):
        return "ods"
    if "[Content_Types].xml" in names and PurePosixPath(file_name).suffix.lower() in SPREADSHEET_SUFFIXES:
        return "xlsx"
    return "zip"


def _declared_member_count(tail: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, read before zipfile parses every entry."""
    index = tail.rfind(b"PK\x05\x06")
    if index < 0 or len(tail) - index < 22:
        return None
    (total_entries,) = struct.unpack("<H", tail[index + 10:index + 12])
    return None if total_entries == 0xFFFF else total_entries
