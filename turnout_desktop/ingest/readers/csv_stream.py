"""Streaming access to big delimited files (statewide rosters) for ``ingest.interpret.statewide``.

A stream (``ingest.readers.registry.iter_csv_chunks``) has ``.encoding``, ``.delimiter``, ``.preview`` (the
first rows, row-major) and ``.chunks(header_index)`` yielding ``{title: [str | None, ...]}``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from turnout_desktop.errors import ImportRejected


def open_csv_stream(path: Path, *, chunk_rows: int = 200_000, member: str | None = None) -> Any:
    """A chunked reader over ``path`` (``registry.iter_csv_chunks``); ``member`` picks a zip member."""
    from turnout_desktop.ingest.readers.registry import iter_csv_chunks

    return iter_csv_chunks(path, chunk_rows=chunk_rows, member=member)


def zip_text_members(path: Path) -> list[str]:
    """The csv/tsv/txt members of a zip, largest first; [] for a file that is not a zip."""
    from turnout_desktop.ingest.readers import safety

    path = Path(path)
    try:
        with path.open("rb") as handle:
            if handle.read(2) != b"PK":
                return []
            handle.seek(0)
            archive = safety.open_zip_stream(handle, path.name, max_total=safety.MAX_CSV_BYTES)
            with archive:
                infos = [info for info in archive.infolist() if not info.is_dir()
                         and not safety.is_junk_member(info.filename)
                         and Path(info.filename).suffix.lower() in safety.TEXT_SUFFIXES]
    except (OSError, zipfile.BadZipFile):
        return []  # the stream itself reports the unreadable file with its own reason
    return [info.filename for info in sorted(infos, key=lambda info: info.file_size, reverse=True)]


def open_matching_stream(path: Path, accept: Callable[[Any], bool], *, chunk_rows: int = 200_000) -> Any:
    """Open ``path``; in a zip of several text files, the first (largest first) member ``accept`` takes.

    The SOS bulk ZIP holds a poll-place count file beside the voter roster (docs/data-formats.md 2.1), and
    the roster is not always the larger one, so the member is chosen by content, not size.

    Args:
        path: a csv/tsv/txt file or a zip of them.
        accept: tells whether an opened stream (its ``preview``) is the wanted layout.
        chunk_rows: rows per chunk.

    Returns:
        The accepted stream, or the default (largest member's) stream when none is accepted, so the
        caller reports the usual "no VUID column" problem.
    """
    members = zip_text_members(path)
    if len(members) <= 1:
        return open_csv_stream(path, chunk_rows=chunk_rows)
    first = None
    for member in members:
        try:
            stream = open_csv_stream(path, chunk_rows=chunk_rows, member=member)
        except ImportRejected:
            continue  # an empty or binary side file; another member may be the roster
        if accept(stream):
            return stream
        first = first or stream
    return first or open_csv_stream(path, chunk_rows=chunk_rows)
