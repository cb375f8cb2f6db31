"""Chunked streaming of big statewide csv files (millions of rows, possibly inside a zip) through pyarrow.

``iter_csv_chunks`` sniffs encoding, delimiter and a preview from the first megabyte with ``text_reader``'s
rules; ``CsvStream.chunks`` then yields bounded chunks of text cells (not NFC-normalised).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety
from turnout_desktop.ingest.readers.text_reader import (
    DELIMITER_NAMES,
    clean_text,
    decode_text,
    parse_rows,
    sniff_delimiter,
)

STREAM_SAMPLE_BYTES = 1024 * 1024
PREVIEW_ROWS = 100


@dataclass
class CsvStream:
    """A big csv opened for chunked reading; rows are only parsed when ``chunks`` is iterated.

    Attributes:
        file_name: display name (``archive.zip/member.csv`` for a zip member).
        encoding: detected (or forced) encoding.
        delimiter: detected delimiter character.
        preview: the first ``PREVIEW_ROWS`` rows, row-major, ``None`` for empty fields.
        skipped_rows: rows dropped by the last ``chunks`` pass because their field count did not match
            the header (footers, a trailing 0x1A line).
    """

    file_name: str
    encoding: str
    delimiter: str
    preview: list[list[str | None]]
    path: Path
    member: str | None = None
    chunk_rows: int = 200_000
    skipped_rows: int = 0
    notes: list[str] = field(default_factory=list)

    def chunks(self, header_row: int) -> Iterator[dict[str, list[str | None]]]:
        """Yield ``{column title: values}`` for the rows after the 0-based ``header_row``.

        Titles are the header cells (blank ones become ``column_<n>``, repeats get `` (2)``); every value
        is text or None. Memory stays bounded by ``chunk_rows``.

        Raises:
            ImportRejected: ``encoding`` when bytes later in the file do not fit the detected encoding,
                ``malformed_csv`` for a parse error.
        """
        import pyarrow as pa
        import pyarrow.csv as pacsv

        if header_row < 0 or header_row >= len(self.preview):
            raise ImportRejected(f"header row {header_row + 1} is outside the first {len(self.preview)} rows",
                                 reason="no_header", file=self.file_name)
        titles = unique_titles(self.preview[header_row])
        self.skipped_rows = 0

        def skip_row(_row: object) -> str:
            self.skipped_rows += 1
            return "skip"

        read_options = pacsv.ReadOptions(column_names=titles, skip_rows=header_row + 1, block_size=8 * 1024 * 1024,
                                         encoding=_pyarrow_encoding(self.encoding), use_threads=True)
        parse_options = pacsv.ParseOptions(delimiter=self.delimiter, quote_char='"', double_quote=True,
                                           newlines_in_values=True, invalid_row_handler=skip_row)
        convert_options = pacsv.ConvertOptions(column_types={title: pa.string() for title in titles},
                                               strings_can_be_null=True, quoted_strings_can_be_null=True,
                                               null_values=[""])
        with _open_stream(self.path, self.member, self.file_name) as handle:
            try:
                reader = pacsv.open_csv(handle, read_options=read_options, parse_options=parse_options,
                                        convert_options=convert_options)
                pending: list[pa.RecordBatch] = []
                pending_rows = 0
                for batch in reader:
                    pending.append(batch)
                    pending_rows += batch.num_rows
                    while pending_rows >= self.chunk_rows:
                        table = pa.Table.from_batches(pending)
                        yield _table_to_dict(table.slice(0, self.chunk_rows), titles)
                        rest = table.slice(self.chunk_rows)
                        pending, pending_rows = rest.to_batches(), rest.num_rows
                if pending_rows:
                    yield _table_to_dict(pa.Table.from_batches(pending), titles)
            except (pa.ArrowInvalid, UnicodeDecodeError) as error:
                message = str(error)
                reason = "encoding" if "UTF8" in message or "utf-8" in message.lower() or isinstance(
                    error, UnicodeDecodeError) else "malformed_csv"
                raise ImportRejected(f"the csv cannot be read further ({message.splitlines()[0][:200]})",
                                     reason=reason, file=self.file_name) from None


def iter_csv_chunks(path: Path, *, chunk_rows: int = 200_000, encoding: str | None = None,
                    member: str | None = None) -> CsvStream:
    """Open a big csv (or the csv inside a zip) for streaming; sniff encoding, delimiter and a preview.

    Args:
        path: a csv/tsv/txt file or a zip holding one (the largest text member is used unless ``member``
            names one).
        chunk_rows: rows per yielded chunk (at least one Arrow block; memory is bounded by this).
        encoding: force an encoding instead of detecting it from the first megabyte.
        member: the zip member to read.

    Raises:
        ImportRejected: ``empty``, ``too_large``, ``zip_bomb``, ``binary``, ``encoding``, ``unsupported_format``.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise ImportRejected(f"cannot open file: {error.strerror or error}", reason="unreadable",
                             file=path.name) from None
    if size == 0:
        raise ImportRejected("the file is empty", reason="empty", file=path.name)
    if size > safety.MAX_CSV_BYTES:
        raise ImportRejected(f"the file is {size / safety.MiB:.0f} MB; the limit is "
                             f"{safety.MAX_CSV_BYTES // safety.MiB} MB", reason="too_large", file=path.name)
    display = path.name
    if magic.startswith(b"PK"):
        member = _pick_member(path, member)
        display = f"{path.name}/{member}"
    with _open_stream(path, member, display) as handle:
        sample = handle.read(STREAM_SAMPLE_BYTES)
    if not sample:
        raise ImportRejected("the file is empty", reason="empty", file=display)
    cut = sample if len(sample) < STREAM_SAMPLE_BYTES else sample[: sample.rfind(b"\n") + 1 or len(sample)]
    text, used = _decode_sample(cut, display, encoding)
    text = clean_text(text)
    delimiter = sniff_delimiter(text, display)
    rows = parse_rows("\n".join(text.split("\n")[: PREVIEW_ROWS * 2]), delimiter, display)[:PREVIEW_ROWS]
    preview = [[field_value or None for field_value in row] for row in rows]
    notes = [f"delimiter: {DELIMITER_NAMES[delimiter]}"]
    if used in ("cp1252", "latin-1") and encoding is None:
        notes.insert(0, f"encoding fallback: {used}")
    return CsvStream(file_name=display, encoding=used, delimiter=delimiter, preview=preview, path=path,
                     member=member, chunk_rows=chunk_rows, notes=notes)


def unique_titles(header: list[str | None]) -> list[str]:
    """Column titles made unique and non-empty: blank -> ``column_<n>`` (1-based), repeats -> ``title (2)``."""
    seen: Counter[str] = Counter()
    titles: list[str] = []
    for index, cell in enumerate(header, start=1):
        title = (cell or "").strip() or f"column_{index}"
        seen[title] += 1
        titles.append(title if seen[title] == 1 else f"{title} ({seen[title]})")
    return titles


def _decode_sample(sample: bytes, file_name: str, encoding: str | None) -> tuple[str, str]:
    """Like ``decode_text`` but tolerant of a multi-byte character cut at the end of the sample."""
    if encoding is None and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        for trim in range(4):
            piece = sample[: len(sample) - trim] if trim else sample
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError as error:
                if error.start < len(piece) - 3:
                    break
                continue
            return decode_text(piece, file_name, None)
    return decode_text(sample, file_name, encoding)


def _pyarrow_encoding(encoding: str) -> str:
    """pyarrow decodes utf-8 natively (and skips a BOM); others go through Python codecs."""
    return "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding


def _pick_member(path: Path, member: str | None) -> str:
    """The text member to stream: ``member`` if given, else the largest csv/tsv/txt member."""
    with path.open("rb") as raw_handle:
        archive = safety.open_zip_stream(raw_handle, path.name, max_total=safety.MAX_CSV_BYTES)
        with archive:
            candidates = [info for info in archive.infolist() if not info.is_dir()
                          and not safety.is_junk_member(info.filename)
                          and PurePosixPath(info.filename).suffix.lower() in safety.TEXT_SUFFIXES]
    if member is not None:
        if member not in {info.filename for info in candidates}:
            raise ImportRejected(f"the archive has no text member {member!r}", reason="unsupported_format",
                                 file=path.name)
        return member
    if not candidates:
        raise ImportRejected("the archive holds no csv/tsv/txt file", reason="unsupported_format", file=path.name)
    return max(candidates, key=lambda info: info.file_size).filename


@contextlib.contextmanager
def _open_stream(path: Path, member: str | None, display: str) -> Iterator[IO[bytes]]:
    """Open the file, or the zip member, as a binary stream (zip bomb limits checked first)."""
    with path.open("rb") as raw_handle:
        if member is None:
            yield raw_handle
            return
        archive = safety.open_zip_stream(raw_handle, display, max_total=safety.MAX_CSV_BYTES)
        with archive, archive.open(member) as handle:
            yield handle


def _table_to_dict(table: Any, titles: list[str]) -> dict[str, list[str | None]]:  # a pyarrow Table
    """An Arrow table as {title: python list}."""
    return {title: table.column(index).to_pylist() for index, title in enumerate(titles)}
