"""The statewide source: a folder, a file, or an https URL (the statewide scraper's output).

``resolve_statewide_files`` turns the configured source into local files to import (a URL is fetched
into the cache under the app's data folder, see ``store/statewide_fetch.py``); ``validate_source`` decides
what ``source set`` and the Settings dialog store; ``describe_source`` is what ``source show`` prints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from turnout_desktop.errors import InvalidRequest, SourceUnavailable
from turnout_desktop.store import statewide_fetch
from turnout_desktop.store.statewide_fetch import DEFAULT_MAX_BYTES, is_url

STATEWIDE_SUFFIXES = frozenset({".csv", ".zip", ".txt"})
CACHE_FOLDER_NAME = "statewide-cache"
PROBE_TIMEOUT_SECONDS = 15.0
KIND_FOLDER, KIND_FILE, KIND_URL = "folder", "file", "url"

__all__ = ["DEFAULT_MAX_BYTES", "CachedDownload", "SourceDescription", "SourceFetch", "SourceUnavailable",
           "default_cache_dir", "describe_source", "resolve_statewide_files", "source_kind", "validate_source"]


@dataclass(frozen=True, slots=True)
class SourceFetch:
    """The local files a statewide source gives now.

    ``changed``: a URL sent new content (a folder or file is always "changed": the importer skips files
    whose sha256 it already imported). ``not_modified``: the server answered 304 or sent the same bytes.
    A URL's cached file is listed either way, so a copy a dry run fetched is still imported later.
    """

    files: list[Path]
    changed: bool
    not_modified: bool


@dataclass(frozen=True, slots=True)
class CachedDownload:
    """A statewide URL's last download, as its cache's ``meta.json`` records it."""

    etag: str | None
    last_modified: str | None
    fetched_at: str | None
    file: str | None  # the cached file's full path
    sha256: str | None
    size: int | None


@dataclass(frozen=True, slots=True)
class SourceDescription:
    """The configured statewide source, its kind (folder, file, url or None) and a URL's last download."""

    statewide_source: str | None
    kind: str | None
    cache: CachedDownload | None


def default_cache_dir() -> Path:
    """``<data folder>/statewide-cache`` (``TURNOUT_DATA_DIR`` is honoured)."""
    from turnout_desktop.db.session import default_data_dir

    return default_data_dir() / CACHE_FOLDER_NAME


def source_kind(source: str | None) -> str | None:
    """``url``, ``folder`` or ``file``, or None when no source is set.

    A path that is gone (a folder removed after ``source set``) is told by its name: a statewide
    file suffix means a file.
    """
    if not source or not source.strip():
        return None
    if is_url(source):
        return KIND_URL
    path = Path(source.strip()).expanduser()
    if path.exists():
        return KIND_FOLDER if path.is_dir() else KIND_FILE
    return KIND_FILE if path.suffix.lower() in STATEWIDE_SUFFIXES | {".json"} else KIND_FOLDER


def resolve_statewide_files(source: str, *, cache_dir: Path | None = None, timeout: float = 30.0,
                            max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFetch:
    """The local files to import from ``source``: a folder's csv/zip/txt files, the one file, or the download.

    Raises:
        SourceUnavailable: the folder or file is missing or unreadable, or the URL cannot be fetched; the
            message names the cause (HTTP status, timeout, size cap, HTML page, TLS failure...).
    """
    text = source.strip()
    if is_url(text):
        download = statewide_fetch.fetch(text, cache_dir or default_cache_dir(), timeout=timeout,
                                         max_bytes=max_bytes)
        return SourceFetch(files=[download.file], changed=download.changed, not_modified=download.not_modified)
    path = Path(text).expanduser()
    if path.is_dir():
        try:
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in STATEWIDE_SUFFIXES)
        except OSError as exc:
            raise SourceUnavailable(f"the statewide folder {path} cannot be read: {exc.strerror or exc}") from exc
        return SourceFetch(files=files, changed=True, not_modified=False)
    if path.is_file():
        if not os.access(path, os.R_OK):
            raise SourceUnavailable(f"the statewide file {path} is not readable")
        return SourceFetch(files=[path], changed=True, not_modified=False)
    if path.exists():
        raise SourceUnavailable(f"the statewide source {path} is neither a folder nor a file")
    raise SourceUnavailable(f"the statewide folder or file {path} does not exist")


def validate_source(source: str, *, probe: bool = True, timeout: float = PROBE_TIMEOUT_SECONDS) -> str:
    """What to store for a statewide source: an absolute path, or the URL unchanged.

    A path must exist and be readable (a readable file, or a folder whose entries can be listed). A URL
    must be https (plain http only to 127.0.0.1, ::1 or localhost) and, when ``probe``, answer a HEAD (or,
    when HEAD is refused, a one-byte ranged GET) with 2xx/3xx.

    Raises:
        InvalidRequest: the source is empty, missing, unreadable, a refused URL, or a URL that does not answer.
    """
    text = source.strip()
    if not text:
        raise InvalidRequest("The statewide source is empty.")
    if is_url(text):
        problem = statewide_fetch.url_problem(text)
        if problem:
            raise InvalidRequest(f"The statewide source URL is refused: {problem}.")
        if probe:
            try:
                statewide_fetch.probe(text, timeout=timeout)
            except SourceUnavailable as exc:
                raise InvalidRequest(f"The statewide source URL does not answer: {exc} (use --no-probe to store "
                                     "it anyway).") from exc
        return text
    if "://" in text:
        raise InvalidRequest(f"The statewide source {text!r} is neither a path nor an https URL.")
    path = Path(text).expanduser()
    if not path.exists():
        raise InvalidRequest(f"The statewide source {text!r} does not exist (a folder, a file or an https URL "
                             "is expected).")
    resolved = path.resolve()
    if resolved.is_dir():
        try:
            os.listdir(resolved)
        except OSError as exc:
            raise InvalidRequest(f"The statewide folder {resolved} is not readable: {exc.strerror or exc}.") from exc
    elif not resolved.is_file():
        raise InvalidRequest(f"The statewide source {resolved} is neither a folder nor a file.")
    elif not _readable_file(resolved):
        raise InvalidRequest(f"The statewide file {resolved} is not readable.")
    return str(resolved)


def describe_source(source: str | None, *, cache_dir: Path | None = None) -> SourceDescription:
    """The source and its kind; ``cache`` is the URL's last download (None for a folder, a file, or no download)."""
    kind = source_kind(source)
    cache: CachedDownload | None = None
    if kind == KIND_URL and source:
        base = cache_dir or default_cache_dir()
        meta = statewide_fetch.read_meta(base, source)
        if meta is not None:
            folder = statewide_fetch.cache_folder(base, source)
            cache = CachedDownload(etag=meta.get("etag"), last_modified=meta.get("last_modified"),
                                   fetched_at=meta.get("fetched_at"),
                                   file=str(folder / meta["file"]) if meta.get("file") else None,
                                   sha256=meta.get("sha256"), size=meta.get("size"))
    return SourceDescription(statewide_source=source, kind=kind, cache=cache)


def _readable_file(path: Path) -> bool:
    """Open it: ``os.access`` alone is fooled by ACLs and network file systems."""
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True
