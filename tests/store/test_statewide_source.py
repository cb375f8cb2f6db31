"""The statewide source as a folder, a file or a URL: fetch, cache, conditional GET, failures, source set/show.

Every URL test talks to a real HTTP server on 127.0.0.1 started here (tests/statewide_http_server.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from statewide_http_server import Route, StatewideServer

from turnout_desktop.cli.main import main
from turnout_desktop.errors import InvalidRequest, SourceUnavailable
from turnout_desktop.store.statewide_fetch import META_NAME, cache_folder
from turnout_desktop.store.statewide_source import (
    SourceDescription,
    default_cache_dir,
    describe_source,
    resolve_statewide_files,
    validate_source,
)

CSV = b"VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE\n1000000001,TRAVIS,DEM,EARLY VOTING,101,2026-02-20\n"
HTML = b"<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n"
PATH = "/sos/statewide_dem_0224.csv"


@pytest.fixture
def server() -> Iterator[StatewideServer]:
    with StatewideServer() as running:
        yield running


def _leftovers(folder: Path) -> list[str]:
    """Temporary files a download left behind (an atomic write leaves none)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_first_fetch_caches_atomically_then_304_then_new_content(server: StatewideServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    url = server.url(PATH)
    server.routes[PATH] = Route(body=CSV, etag='"v1"')

    first = resolve_statewide_files(url, cache_dir=cache)
    assert (first.changed, first.not_modified) == (True, False)
    (cached,) = first.files
    assert cached.name == "statewide_dem_0224.csv" and cached.parent == cache_folder(cache, url)
    assert cached.read_bytes() == CSV and _leftovers(cached.parent) == []
    meta = json.loads((cached.parent / META_NAME).read_text())
    assert (meta["etag"], meta["file"], meta["size"]) == ('"v1"', cached.name, len(CSV))
    assert "If-None-Match" not in server.seen(PATH)[0].headers

    second = resolve_statewide_files(url, cache_dir=cache)
    assert (second.files, second.changed, second.not_modified) == ([cached], False, True)
    sent = server.seen(PATH)[1].headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Tue, 24 Feb 2026 08:00:00 GMT"

    # A failed download leaves the good cached copy whole (the body goes to a temporary file first).
    server.routes[PATH] = Route(body=CSV * 100, etag='"v2"')
    with pytest.raises(SourceUnavailable, match="larger than 1000 bytes"):
        resolve_statewide_files(url, cache_dir=cache, max_bytes=1000)
    assert cached.read_bytes() == CSV and _leftovers(cached.parent) == []

    newer = CSV + b"1000000002,TRAVIS,DEM,MAIL-IN,101,2026-02-21\n"
    server.routes[PATH] = Route(body=newer, etag='"v3"')
    third = resolve_statewide_files(url, cache_dir=cache)
    assert (third.changed, third.not_modified, third.files[0].read_bytes()) == (True, False, newer)

    server.routes[PATH] = Route(body=newer, etag='"v4"')  # a new ETag for the very same bytes
    fourth = resolve_statewide_files(url, cache_dir=cache)
    assert (fourth.changed, fourth.not_modified) == (False, True)
    assert json.loads((cached.parent / META_NAME).read_text())["etag"] == '"v4"'


@pytest.mark.parametrize(("route", "options", "cause"), [
    (Route(status=500, body=b"oops"), {}, "HTTP 500 Internal Server Error from http://127.0.0.1"),
    (Route(body=CSV, delay=2.0), {"timeout": 0.5}, "timed out after 0.5 s"),
    (Route(body=CSV * 10), {"max_bytes": 100}, "larger than 100 bytes"),
    (Route(body=CSV * 10, send_length=False), {"max_bytes": 100}, "larger than 100 bytes"),
    (Route(body=HTML, content_type="text/html; charset=utf-8"), {}, "sent HTML, not a CSV/ZIP statewide file"),
    (Route(body=HTML, content_type="text/csv"), {}, "sent HTML, not a CSV/ZIP statewide file"),
    (Route(body=b""), {}, "empty body"),
], ids=["500", "timeout", "oversized", "oversized-no-length", "html", "html-as-csv", "empty"])
def test_each_failure_names_its_cause(server: StatewideServer, tmp_path: Path, route: Route,
                                      options: dict[str, float], cause: str) -> None:
    server.routes[PATH] = route
    with pytest.raises(SourceUnavailable, match=cause.replace(".", r"\.").replace("(", r"\(")):
        resolve_statewide_files(server.url(PATH), cache_dir=tmp_path / "cache", **options)
    assert not list((tmp_path / "cache").rglob("*.csv"))  # nothing half-written is left for the importer


def test_refused_urls_and_unreachable_servers(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match="plain http is allowed only on loopback"):
        resolve_statewide_files("http://sos.example.org/statewide.csv", cache_dir=tmp_path)
    with StatewideServer() as closed:
        url = closed.url(PATH)
    with pytest.raises(SourceUnavailable, match="refused the connection"):
        resolve_statewide_files(url, cache_dir=tmp_path)


def test_a_certificate_the_system_does_not_trust_is_refused(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no self-signed certificate can be made")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    with StatewideServer(certificate=(str(cert), str(key))) as server:
        server.routes[PATH] = Route(body=CSV)
        with pytest.raises(SourceUnavailable, match="TLS certificate verify failed"):
            resolve_statewide_files(server.url(PATH), cache_dir=tmp_path / "cache")


def test_a_url_without_a_file_name_is_cached_by_content(server: StatewideServer, tmp_path: Path) -> None:
    server.routes["/download?id=7"] = Route(body=b"PK\x03\x04rest-of-a-zip", content_type="application/octet-stream")
    server.routes["/export"] = Route(body=CSV)
    assert resolve_statewide_files(server.url("/download?id=7"), cache_dir=tmp_path).files[0].name == "statewide.zip"
    assert resolve_statewide_files(server.url("/export"), cache_dir=tmp_path).files[0].name == "statewide.csv"


def test_folders_and_files(tmp_path: Path) -> None:
    folder = tmp_path / "statewide"
    folder.mkdir()
    for name in ("b.csv", "a.ZIP", "notes.pdf", "c.txt"):
        (folder / name).write_bytes(b"x")
    listed = resolve_statewide_files(str(folder))
    assert [p.name for p in listed.files] == ["a.ZIP", "b.csv", "c.txt"] and listed.changed
    assert resolve_statewide_files(str(folder / "b.csv")).files == [folder / "b.csv"]
    with pytest.raises(SourceUnavailable, match="does not exist"):
        resolve_statewide_files(str(tmp_path / "gone"))


def test_validate_source(server: StatewideServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("drop").mkdir()
    assert validate_source("drop") == str(tmp_path.resolve() / "drop")
    with pytest.raises(InvalidRequest, match="does not exist"):
        validate_source("missing")
    with pytest.raises(InvalidRequest, match="not an https URL|neither a path nor an https URL"):
        validate_source("ftp://sos.example.org/statewide.csv")
    with pytest.raises(InvalidRequest, match="plain http is allowed only on loopback"):
        validate_source("http://sos.example.org/statewide.csv", probe=False)

    server.routes["/ok.csv"] = Route(body=CSV)
    server.routes["/no-head.csv"] = Route(body=CSV, refuse_head=True)
    server.routes["/broken.csv"] = Route(status=500)
    assert validate_source(server.url("/ok.csv")) == server.url("/ok.csv")
    assert [r.method for r in server.requests] == ["HEAD"]  # a probe downloads nothing
    assert validate_source(server.url("/no-head.csv")) == server.url("/no-head.csv")
    assert server.seen("/no-head.csv")[0].headers["Range"] == "bytes=0-0"
    with pytest.raises(InvalidRequest, match="does not answer: HTTP 500"):
        validate_source(server.url("/broken.csv"))
    assert validate_source(server.url("/broken.csv"), probe=False) == server.url("/broken.csv")


def _cli(sqlite_url: str, *args: str) -> int:
    return main(["--db", sqlite_url, "source", *args])


def test_source_set_and_show(server: StatewideServer, sqlite_url: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("statewide").mkdir()
    assert _cli(sqlite_url, "set", "statewide") == 0
    assert _cli(sqlite_url, "show", "--json") == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{"):]) == {"statewide_source": str(tmp_path.resolve() / "statewide"),
                                                "kind": "folder", "cache": None}

    assert _cli(sqlite_url, "set", "no-such-folder") == 2
    assert "does not exist" in capsys.readouterr().err
    secret = Path("secret.csv")
    secret.write_bytes(CSV)
    secret.chmod(0)
    if os.geteuid() != 0:  # root reads any file: the refusal cannot be shown as root
        assert _cli(sqlite_url, "set", "secret.csv") == 2
        assert "not readable" in capsys.readouterr().err
    secret.chmod(0o600)

    server.routes["/broken.csv"] = Route(status=500)
    assert _cli(sqlite_url, "set", server.url("/broken.csv")) == 2
    assert "HTTP 500" in capsys.readouterr().err
    assert _cli(sqlite_url, "set", server.url("/broken.csv"), "--no-probe") == 0
    server.routes[PATH] = Route(body=CSV, etag='"v1"')
    assert _cli(sqlite_url, "set", server.url(PATH)) == 0
    resolve_statewide_files(server.url(PATH))  # the default cache: the data folder's statewide-cache
    capsys.readouterr()
    assert _cli(sqlite_url, "show", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["statewide_source"], shown["kind"]) == (server.url(PATH), "url")
    cache = shown["cache"]
    assert (cache["etag"], cache["last_modified"]) == ('"v1"', "Tue, 24 Feb 2026 08:00:00 GMT")
    assert cache["file"] == str(cache_folder(default_cache_dir(), server.url(PATH)) / "statewide_dem_0224.csv")
    assert cache["fetched_at"] and describe_source(None) == SourceDescription(None, None, None)
