"""Streaming access to big delimited files (statewide rosters) for ``ingest.interpret.statewide``.

Uses ``ingest.readers.registry.iter_csv_chunks`` when the raw layer provides it; otherwise a pandas C-engine
reader with the same shape: ``.encoding``, ``.delimiter``, ``.preview`` (first 100 rows,
row-major) and ``.chunks(header_index)`` yielding ``{title: [str | None, ...]}``.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from turnout_desktop.errors import ImportRejected

PREVIEW_ROWS = 100
_SAMPLE_BYTES = 1 << 20


def open_csv_stream(path: Path, *, chunk_rows: int = 200_000, member: str | None = None) -> Any:
    """A chunked reader over ``path`` (raw layer's when available); ``member`` picks a zip member."""
    try:
        from turnout_desktop.ingest.readers.registry import iter_csv_chunks
    except ImportError:
        return PandasCsvStream.open(Path(path), chunk_rows)
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


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:  # not just a character cut by the sample's end
            return "cp1252"
    return "utf-8"


def _unique(titles: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for title in titles:
        count = seen.get(title, 0)
        seen[title] = count + 1
        result.append(title if count == 0 else f"{title}.{count}")
    return result


@dataclass(slots=True)
class PandasCsvStream:
    """Fallback streaming reader (plain or single-member zip csv/tsv)."""

    path: Path
    file_name: str
    encoding: str
    delimiter: str
    preview: list[list[str]]
    chunk_rows: int
    compression: str | None

    @classmethod
    def open(cls, path: Path, chunk_rows: int) -> PandasCsvStream:
        try:
            compression = "zip" if zipfile.is_zipfile(path) else None
            if compression:
                with zipfile.ZipFile(path) as archive:
                    members = [m for m in archive.infolist() if not m.is_dir()]
                    if len(members) != 1:
                        raise ImportRejected("A statewide zip must hold exactly one csv file", reason="unreadable",
                                             file=path.name)
                    with archive.open(members[0]) as handle:
                        sample = handle.read(_SAMPLE_BYTES)
            else:
                with path.open("rb") as handle:
                    sample = handle.read(_SAMPLE_BYTES)
        except OSError as error:
            raise ImportRejected(f"cannot open file: {error}", reason="unreadable", file=path.name) from None
        if not sample.strip():
            raise ImportRejected("The file is empty", reason="empty", file=path.name)
        encoding = _detect_encoding(sample)
        text = sample.decode(encoding, errors="replace").replace("\x1a", "")
        try:
            delimiter = csv.Sniffer().sniff(text[:65536], delimiters=",\t|;").delimiter
        except csv.Error:
            delimiter = "\t" if text.count("\t") > text.count(",") else ","
        preview = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)][:PREVIEW_ROWS]
        return cls(path, path.name, encoding, delimiter, preview, chunk_rows, compression)

    def chunks(self, header_index: int) -> Iterator[dict[str, list[str | None]]]:
        titles = _unique([t.replace("\ufeff", "").strip() for t in self.preview[header_index]])
        reader = pd.read_csv(self.path, sep=self.delimiter, header=None, skiprows=header_index + 1, names=titles,
                             dtype=str, keep_default_na=False, na_filter=False, encoding=self.encoding,
                             chunksize=self.chunk_rows, compression=self.compression, engine="c",
                             skip_blank_lines=True, on_bad_lines="error", index_col=False)
        try:
            for frame in reader:
                yield {title: [v if v.strip() and v != "\x1a" else None for v in frame[title].tolist()]
                       for title in titles}
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
            raise ImportRejected(f"The statewide file is malformed: {error}"[:300], reason="malformed_csv",
                                 file=self.file_name) from None
