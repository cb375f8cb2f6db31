"""The one place exported files are escaped, named and written (docs/reliability.md T5, T6, T16).

- ``escape_text_cell``: a text cell that a spreadsheet could read as a formula gets one leading
  apostrophe (OWASP CSV injection; ASVS 5 1.2.10 adds NUL). Numbers are never passed through it,
  so negative counts stay numbers.
- ``write_csv_atomic`` / ``atomic_write_bytes``: temp file in the target folder, flush + fsync,
  ``os.replace``, fsync the folder; the target holds the old file or the complete new one, mode 0644.
- ``safe_filename`` / ``safe_output_path``: names built only from ``[A-Za-z0-9_-]`` slugs, joined
  with the chosen folder and checked to stay inside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from turnout_desktop.files import file_sha256

# First characters that make Excel / LibreOffice / Google Sheets evaluate a cell (docs/reliability.md T5).
FORMULA_TRIGGERS = frozenset({"=", "+", "-", "@", "\t", "\r", "\n", "\x00"})
ESCAPE_PREFIX = "'"

# Exports (reports, the public CSV) are for the office to share: readable by its group and others, written by
# the owner only, as far as the user's umask allows (a umask of 077 keeps them private). The database and the
# dashboard snapshot are created 0600 elsewhere (db/session.py, services/dashboard_snapshot.py).
EXPORT_FILE_MODE = 0o644


def _current_umask() -> int:
    mask = os.umask(0o077)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask

MAX_FILENAME_LENGTH = 120
_SLUG_DISALLOWED = re.compile(r"[^A-Za-z0-9_-]+")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")
_SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
# Device names Windows resolves regardless of folder or extension (CON.pdf is still CON).
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in range(10)}
    | {f"LPT{i}" for i in range(10)}
)


def escape_text_cell(value: str) -> str:
    """Neutralise a text cell that a spreadsheet would evaluate as a formula.

    Args:
        value: the text exactly as stored.

    Returns:
        ``value`` unchanged, or ``"'" + value`` when it starts with ``= + - @`` TAB CR LF or NUL.
        Stripping that single apostrophe gives back the original text.
    """
    if value and value[0] in FORMULA_TRIGGERS:
        return ESCAPE_PREFIX + value
    return value


def export_cell(value: object) -> str:
    """Text for one CSV field: numbers as plain digits, dates ISO, text escaped, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return escape_text_cell(str(value))


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; Windows cannot open a folder for fsync, so it is skipped there."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _temp_in_folder(path: Path) -> tuple[int, Path]:
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-export-", suffix=".part")
    try:
        # mkstemp makes it 0600; the rename keeps the mode
        os.chmod(temp_name, EXPORT_FILE_MODE & ~_current_umask())
    except BaseException:
        os.close(handle)
        Path(temp_name).unlink(missing_ok=True)
        raise
    return handle, Path(temp_name)


BeforeReplace = Callable[[str], None]


def _commit_temp(temp_path: Path, path: Path, before_replace: BeforeReplace | None = None) -> str:
    """Hash the fully written temp file, rename it over ``path`` and fsync the folder.

    ``before_replace(sha256)`` runs between the two: the export service commits its audit event there, so
    whatever file a crash leaves at ``path`` (the old one or the new one) has its sha256 recorded.
    """
    sha256 = file_sha256(temp_path)
    if before_replace is not None:
        before_replace(sha256)
    os.replace(temp_path, path)
    _fsync_folder(path.parent)
    return sha256


def _write_atomic(path: Path, fill: Callable[[IO[Any]], object], before_replace: BeforeReplace | None,
                  mode: str, *, encoding: str | None = None, newline: str | None = None) -> str:
    """Open a temp file beside ``path``, let ``fill`` write it, flush + fsync, then ``_commit_temp``;
    on any error the temp file is removed and ``path`` keeps its old content."""
    handle, temp_path = _temp_in_folder(path)
    try:
        with os.fdopen(handle, mode, encoding=encoding, newline=newline) as stream:
            fill(stream)
            stream.flush()
            os.fsync(stream.fileno())
        return _commit_temp(temp_path, path, before_replace)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes, *, before_replace: BeforeReplace | None = None) -> str:
    """Write ``data`` to ``path`` atomically.

    Args:
        path: target file; its folder must exist.
        data: the complete file content.
        before_replace: called with the sha256 once the temp file is complete, before the rename.

    Returns:
        The sha256 (hex) of the written file.
    """
    return _write_atomic(Path(path), lambda stream: stream.write(data), before_replace, "wb")


def write_csv_atomic(path: Path, header: list[str], rows: Iterable[Sequence[object]], *,
                     before_replace: BeforeReplace | None = None) -> str:
    """Write a CSV Excel opens correctly and cannot be tricked into running formulas.

    UTF-8 with BOM, CRLF line ends, every field quoted (embedded quotes doubled), text cells
    escaped with ``escape_text_cell``, numbers written as numbers.

    Args:
        path: target file; its folder must exist.
        header: column names (escaped like any text cell).
        rows: the data rows, streamed.
        before_replace: called with the sha256 once the temp file is complete, before the rename.

    Returns:
        The sha256 (hex) of the written file.
    """
    def fill(stream: IO[Any]) -> None:
        writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow([export_cell(name) for name in header])
        for row in rows:
            writer.writerow([export_cell(value) for value in row])

    return _write_atomic(Path(path), fill, before_replace, "w", encoding="utf-8-sig", newline="")


def _slug(text: str) -> str:
    return _SLUG_DISALLOWED.sub("_", text).strip("_-")


def is_reserved_name(name: str) -> bool:
    """True for names Windows maps to a device (the part before the first dot decides)."""
    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.upper() in _WINDOWS_RESERVED


def safe_filename(*parts: str, suffix: str) -> str:
    """Build a file name from our own values (county, date, kind), never from cell text.

    Each part is reduced to ``[A-Za-z0-9_-]``; parts are joined with ``_``; the result is capped
    so the whole name is at most 120 characters; a name Windows reserves gets ``_file`` appended.

    Args:
        *parts: the pieces of the name, e.g. ``"turnout-report", "Harris", "2024-11-05"``.
        suffix: the extension with its dot, e.g. ``".pdf"``.

    Returns:
        A name matching ``^[A-Za-z0-9_.-]{1,120}$``.

    Raises:
        ValueError: the suffix is not a dot followed by 1-10 letters/digits.
    """
    if not _SAFE_SUFFIX.match(suffix):
        raise ValueError(f"unsafe file suffix {suffix!r}")
    stem = "_".join(slug for slug in (_slug(part) for part in parts) if slug) or "export"
    stem = stem[: MAX_FILENAME_LENGTH - len(suffix)].rstrip("_-") or "export"
    if is_reserved_name(stem):
        stem = f"{stem}_file"
    return stem + suffix


def safe_output_path(folder: Path, name: str) -> Path:
    """Join a built name with the chosen folder and prove the result stays inside it.

    Args:
        folder: the folder the user chose.
        name: a name from ``safe_filename`` (or one that passes the same rules).

    Returns:
        The resolved target path, directly inside ``folder``.

    Raises:
        ValueError: the name has characters outside the allowlist, is a reserved Windows name,
            is ``.``/``..``, or resolves outside ``folder``.
    """
    if not _SAFE_NAME.match(name) or name.strip(".") == "" or is_reserved_name(name):
        raise ValueError(f"refused unsafe output file name {name!r}")
    base = Path(folder).resolve()
    target = (base / name).resolve()
    if not target.is_relative_to(base) or target.parent != base:
        raise ValueError(f"refused output path outside {base}: {name!r}")
    return target
