"""Download the statewide file from an https URL into a local cache, conditionally and safely.

Rules: https only (plain http only to the loopback host, as the tests use); certificates are verified
(the default SSL context); every socket operation has a timeout; the body is streamed into a temporary
file in the cache folder with the size cap enforced while streaming, then moved into place with
``os.replace``, so the cached file is never half written. The ETag and Last-Modified the server sent are
kept in ``meta.json`` beside the cached file and sent back as If-None-Match / If-Modified-Since.

Each URL has its own folder (a hash of the URL) under the cache folder. The cached file keeps the URL's
last path segment when it ends in .csv/.zip/.txt/.json (the importer reads party, EV/ED and as-of clues
from names), else the server's Content-Disposition name, else ``statewide.zip`` / ``statewide.csv`` by content.

Every failure raises ``SourceUnavailable`` with a message naming the cause.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import socket
import ssl
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from turnout_desktop.errors import SourceUnavailable

DEFAULT_MAX_BYTES = 2 * 1024**3  # a whole-state roster CSV is a few hundred MB; a larger body is not one
CHUNK_BYTES = 1024 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
KEPT_SUFFIXES = (".csv", ".zip", ".txt", ".json")
META_NAME = "meta.json"
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")
ZIP_MAGIC = b"PK\x03\x04"
USER_AGENT = "TurnoutDesktop statewide fetch"


@dataclass(frozen=True, slots=True)
class Download:
    """The cached copy of a URL after one fetch."""

    file: Path
    changed: bool  # the server sent content different from the cached copy
    not_modified: bool  # 304, or a 200 with the very same bytes


def is_url(source: str) -> bool:
    """True when the source text is an http(s) URL rather than a path."""
    return bool(re.match(r"^https?://", source.strip(), re.IGNORECASE))


def url_problem(url: str) -> str | None:
    """Why this URL may not be used as a statewide source, or None when it may."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"{url!r} is not an https URL"
    if not parts.hostname:
        return f"{url!r} names no host"
    if scheme == "http" and parts.hostname.lower() not in LOOPBACK_HOSTS:
        return f"plain http is allowed only on loopback (127.0.0.1, ::1, localhost); use https for {url}"
    return None


def cache_folder(cache_dir: Path, url: str) -> Path:
    """The folder that holds one URL's cached copy and its meta file."""
    return cache_dir / hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:24]


def read_meta(cache_dir: Path, url: str) -> dict[str, Any] | None:
    """The meta file of a URL's cached copy (etag, last_modified, fetched_at, file, sha256, size), if any."""
    path = cache_folder(cache_dir, url) / META_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def fetch(url: str, cache_dir: Path, *, timeout: float, max_bytes: int = DEFAULT_MAX_BYTES) -> Download:
    """Fetch ``url`` into its cache folder (conditional GET) and return the cached file.

    Raises:
        SourceUnavailable: the URL is not allowed, or the server cannot be reached, answers an error,
            times out, sends HTML, an empty body or more than ``max_bytes``.
    """
    url = url.strip()
    problem = url_problem(url)
    if problem:
        raise SourceUnavailable(problem)
    folder = cache_folder(cache_dir, url)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceUnavailable(f"the download cache {folder} cannot be created: {exc}") from exc
    meta = read_meta(cache_dir, url)
    cached = _cached_file(folder, meta)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    if cached is not None and meta is not None:
        if meta.get("etag"):
            request.add_header("If-None-Match", str(meta["etag"]))
        if meta.get("last_modified"):
            request.add_header("If-Modified-Since", str(meta["last_modified"]))
    try:
        response = _opener(url).open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 304 and cached is not None:
            _write_meta(folder, {**(meta or {}), "fetched_at": _now()})
            return Download(file=cached, changed=False, not_modified=True)
        raise SourceUnavailable(f"HTTP {exc.code} {exc.reason} from {url}") from exc
    except SourceUnavailable:
        raise  # a refused redirect
    except Exception as exc:  # noqa: BLE001 - every network failure becomes a named cause
        raise SourceUnavailable(network_cause(exc, url, timeout)) from exc
    with response:
        return _store(response, url, folder, meta, cached, timeout=timeout, max_bytes=max_bytes)


def probe(url: str, *, timeout: float) -> None:
    """Ask the server whether the URL answers (HEAD, else a one-byte ranged GET); raise when it does not.

    Raises:
        SourceUnavailable: the URL is not allowed, unreachable, or answers neither request with 2xx/3xx.
    """
    url = url.strip()
    problem = url_problem(url)
    if problem:
        raise SourceUnavailable(problem)
    opener = _opener(url)
    head = urllib.request.Request(url, method="HEAD", headers={"User-Agent": USER_AGENT})
    try:
        opener.open(head, timeout=timeout).close()
        return
    except urllib.error.HTTPError as exc:
        exc.close()  # some servers refuse HEAD (405, 501, a 403 for signed GET links): a ranged GET decides
    except SourceUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001
        raise SourceUnavailable(network_cause(exc, url, timeout)) from exc
    ranged = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Range": "bytes=0-0"})
    try:
        with opener.open(ranged, timeout=timeout) as response:
            response.read(1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise SourceUnavailable(f"HTTP {exc.code} {exc.reason} from {url}") from exc
    except SourceUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001
        raise SourceUnavailable(network_cause(exc, url, timeout)) from exc


def network_cause(exc: BaseException, url: str, timeout: float) -> str:
    """A one-line cause for a failed request: timeout, TLS, refused connection, unknown host..."""
    reason: Any = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, socket.timeout | TimeoutError):
        return f"{url} timed out after {timeout:g} s"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate verify failed for {url}: {reason.verify_message or reason}"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error with {url}: {reason}"
    if isinstance(reason, socket.gaierror):
        return f"the host of {url} cannot be found: {reason.strerror or reason}"
    if isinstance(reason, ConnectionRefusedError):
        return f"the server of {url} refused the connection"
    if isinstance(reason, OSError):
        return f"cannot reach {url}: {reason.strerror or reason}"
    return f"cannot fetch {url}: {type(reason).__name__}: {reason}"


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to URLs the source rules allow (no https -> http downgrade)."""

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: HTTPMessage, newurl: str) -> urllib.request.Request | None:
        problem = url_problem(newurl)
        if problem:
            raise SourceUnavailable(f"{req.full_url} redirects to a refused URL: {problem}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(url: str) -> urllib.request.OpenerDirector:
    """An opener with certificate checks (the default context) and safe redirects; no proxy for loopback."""
    handlers: list[Any] = [_SafeRedirects(), urllib.request.HTTPSHandler(context=ssl.create_default_context())]
    if (urlsplit(url).hostname or "").lower() in LOOPBACK_HOSTS:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def _cached_file(folder: Path, meta: dict[str, Any] | None) -> Path | None:
    """The cached copy the meta file describes, when it is there whole (its size matches)."""
    if not meta or not meta.get("file"):
        return None
    path = folder / str(meta["file"])
    try:
        return path if path.is_file() and path.stat().st_size == meta.get("size") else None
    except OSError:
        return None


def _store(response: Any, url: str, folder: Path, meta: dict[str, Any] | None, cached: Path | None, *,
           timeout: float, max_bytes: int) -> Download:
    """Stream the body into a temporary file (size cap, HTML check), then move it into place atomically."""
    content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type in ("text/html", "application/xhtml+xml"):
        raise SourceUnavailable(f"the server sent HTML, not a CSV/ZIP statewide file ({url})")
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise SourceUnavailable(f"the body of {url} is larger than {max_bytes} bytes ({declared} announced)")
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".download-", delete=False)  # noqa: SIM115
    temp = Path(handle.name)
    try:
        with handle:
            digest, size, head = _stream(response, handle, url, timeout=timeout, max_bytes=max_bytes)
        if size == 0:
            raise SourceUnavailable(f"the server sent an empty body for {url}")
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(HTML_STARTS):
            raise SourceUnavailable(f"the server sent HTML, not a CSV/ZIP statewide file ({url})")
        headers = {"etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified")}
        if cached is not None and meta is not None and meta.get("sha256") == digest:
            temp.unlink()
            _write_meta(folder, {**meta, **headers, "fetched_at": _now()})
            return Download(file=cached, changed=False, not_modified=True)
        name = _file_name(url, response.headers.get("Content-Disposition"), head)
        target = folder / name
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if cached is not None and cached != target:
        cached.unlink(missing_ok=True)  # the URL now names a file of another name: keep one copy only
    _write_meta(folder, {"url": url, **headers, "fetched_at": _now(), "file": name, "sha256": digest, "size": size})
    return Download(file=target, changed=True, not_modified=False)


def _stream(response: Any, handle: IO[bytes], url: str, *, timeout: float,
            max_bytes: int) -> tuple[str, int, bytes]:
    """Copy the body in chunks; returns (sha256, size, first bytes)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    while True:
        try:
            chunk = response.read(CHUNK_BYTES)
        except Exception as exc:  # noqa: BLE001 - a stalled or cut transfer names its cause
            raise SourceUnavailable(network_cause(exc, url, timeout)) from exc
        if not chunk:
            return digest.hexdigest(), size, head
        size += len(chunk)
        if size > max_bytes:
            raise SourceUnavailable(f"the body of {url} is larger than {max_bytes} bytes")
        if len(head) < 512:
            head += chunk[: 512 - len(head)]
        digest.update(chunk)
        handle.write(chunk)


def _file_name(url: str, disposition: str | None, head: bytes) -> str:
    """The cached file's name: the URL's last segment, the server's suggested name, or a generic one."""
    for candidate in (unquote(urlsplit(url).path.rsplit("/", 1)[-1]), _disposition_name(disposition)):
        cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", candidate or "").strip(" .")
        if cleaned and cleaned != META_NAME and cleaned.lower().endswith(KEPT_SUFFIXES):
            return cleaned
    return "statewide.zip" if head.startswith(ZIP_MAGIC) else "statewide.csv"


def _disposition_name(disposition: str | None) -> str | None:
    if not disposition:
        return None
    message = Message()
    message["Content-Disposition"] = disposition
    name = message.get_filename()
    return Path(name).name if name else None


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    """Write the meta file atomically (a temporary file, then ``os.replace``)."""
    handle = tempfile.NamedTemporaryFile("w", dir=folder, prefix=".meta-", suffix=".json", delete=False,  # noqa: SIM115
                                         encoding="utf-8")
    with handle:
        json.dump(meta, handle, indent=2, sort_keys=True)
    os.replace(handle.name, folder / META_NAME)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
