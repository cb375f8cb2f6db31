"""Text and JSON inputs with bounded cost and no silent damage.

Lines that are not UTF-8 in an otherwise UTF-8 file block the upload (``mixed_encoding``, with their
rows) instead of turning the whole file into cp1252 mojibake; a JSON file above the shared limit is
refused before it is parsed; blank lines are counted in bulk.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from tests.ingest.upload_reading import read_county_upload
from turnout_desktop.db import settings_store
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety
from turnout_desktop.ingest.readers.mixed_encoding import split_mixed_utf8
from turnout_desktop.ingest.readers.registry import read_raw
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import submit_files

ELECTION = dt.date(2026, 3, 3)
HEADER = b"VUID,LAST NAME,PARTY,VOTING_METHOD\n"


def _codes(upload) -> dict[str, list]:
    found: dict[str, list] = {}
    for problem in upload.problems:
        found.setdefault(problem.code, []).append(problem)
    return found


def test_cp1252_lines_in_a_utf8_file_block_with_their_rows(tmp_path: Path):
    path = tmp_path / "loving_roster.csv"
    path.write_bytes(HEADER + "1151000001,PEÑA,DEM,early-voting\n".encode()
                     + "1151000002,MUÑOZ,DEM,early-voting\n".encode("cp1252")
                     + b"1151000003,SMITH,DEM,early-voting\n"
                     + "1151000004,NÚÑEZ,DEM,early-voting\n".encode("cp1252"))
    sheet = read_raw(path.read_bytes(), path.name)[0].sheets[0]
    assert sheet.columns[1][1:] == ["PEÑA", "MUÑOZ", "SMITH", "NÚÑEZ"]  # no PEÃ‘A anywhere
    upload = read_county_upload([path], county="Loving", election=ELECTION)
    codes = _codes(upload)
    assert [p.row for p in codes["mixed_encoding"]] == [3, 5]
    assert all(p.blocking for p in codes["mixed_encoding"])
    assert "encoding_fallback" not in codes
    assert not upload.ready


def test_a_cp1252_file_is_still_a_fallback_not_mixed(tmp_path: Path):
    data = HEADER + "1151000002,MUÑOZ,DEM,early-voting\n".encode("cp1252")
    assert split_mixed_utf8(data) is None
    workbook = read_raw(data, "loving.csv")[0]
    assert workbook.encoding == "cp1252" and not workbook.mixed_encoding_rows


def _envelope(payload: bytes) -> bytes:
    return json.dumps({"upload": base64.b64encode(payload).decode()}).encode()


def test_a_json_file_above_the_limit_is_refused_naming_it():
    envelope = _envelope(HEADER + b"1151000001,PENA,DEM,early-voting\n" * 40_000)
    assert len(envelope) > safety.MiB
    with safety.json_limit(1), pytest.raises(ImportRejected) as caught:
        read_raw(envelope, "turnout.json")
    assert caught.value.reason == "too_large" and caught.value.exit_code == 2
    assert "the limit is 1 MB" in str(caught.value) and "json_envelope_max_mb" in str(caught.value)
    assert read_raw(envelope, "turnout.json")[0].sheets[0].n_rows == 40_001  # the default limit is 100 MB


def test_submit_uses_the_shared_json_limit(sqlite_url: str, tmp_path: Path):
    path = tmp_path / "loving.json"
    path.write_bytes(_envelope(HEADER + b"1151000001,PENA,DEM,early-voting\n" * 40_000))
    engine = make_engine(sqlite_url)
    try:
        with transaction(engine) as session:
            assert settings_store.json_envelope_max_mb(session) == safety.DEFAULT_JSON_MAX_MB
            settings_store.set_setting(session, settings_store.JSON_ENVELOPE_MAX_MB, "1")
        with pytest.raises(ImportRejected) as caught:
            submit_files(AppContext(engine, user="clerk1"), [path], election=ELECTION, county="Loving",
                         reconcile=False)
    finally:
        engine.dispose()
    assert caught.value.reason == "too_large" and "1 MB" in str(caught.value)


def test_blank_lines_are_reported_in_bulk(tmp_path: Path):
    path = tmp_path / "loving.json"
    path.write_bytes(_envelope(HEADER + b"1151000001,PENA,DEM,early-voting\n" + b"\n" * 1_000_000
                               + b"1151000002,SMITH,DEM,early-voting\n"))
    upload = read_county_upload([path], county="Loving", election=ELECTION)
    assert len(upload.rows) == 2
    blank = _codes(upload)["blank_row"]
    assert blank[0].row == 3 and blank[-1].value == str(1_000_000 - 200)  # 200 listed, the rest counted
