"""The JSON envelope limit on every path that accepts an envelope (a hostile file must not exhaust memory).

``turnout submit`` is covered in test_hostile_text.py; here ``turnout precheck`` (offline: the 100 MB
default) and ``turnout import-statewide`` (the shared setting ``json_envelope_max_mb``) refuse a JSON file
above the limit with exit 2 and a message naming it, before its bytes are parsed. The over-limit files
are sparse, so nothing big is written.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from turnout_desktop.cli.main import main
from turnout_desktop.db import settings_store
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.ingest.readers import safety

STATEWIDE = b"VUID,COUNTY,PARTY,VOTING_METHOD\n1151000001,LOVING,DEM,early-voting\n"


def _sparse_json(path: Path, megabytes: int) -> Path:
    with path.open("wb") as handle:
        handle.write(b'{"upload": "')
        handle.truncate(megabytes * safety.MiB + 1)
    return path


def test_precheck_refuses_an_envelope_above_the_default_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = _sparse_json(tmp_path / "loving.json", safety.DEFAULT_JSON_MAX_MB)
    assert main(["precheck", str(path), "--county", "Loving", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["reason"] == "too_large" and "the limit is 100 MB" in error["message"]


def test_import_statewide_refuses_an_envelope_above_the_shared_limit(sqlite_url: str, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]):
    engine = make_engine(sqlite_url)
    try:
        with transaction(engine) as session:
            settings_store.set_setting(session, settings_store.JSON_ENVELOPE_MAX_MB, "1")
    finally:
        engine.dispose()
    envelope = tmp_path / "statewide.json"
    envelope.write_text(json.dumps({"upload": base64.b64encode(STATEWIDE * 20_000).decode()}))
    assert envelope.stat().st_size > safety.MiB
    command = ["--db", sqlite_url, "import-statewide", str(envelope), "--election", "2026-03-03"]
    assert main(command) == 2
    message = capsys.readouterr().err
    assert "the limit is 1 MB" in message and "json_envelope_max_mb" in message
    small = tmp_path / "small.json"
    small.write_text(json.dumps({"upload": base64.b64encode(STATEWIDE).decode()}))
    assert main(["--db", sqlite_url, "import-statewide", str(small), "--election", "2026-03-03"]) == 0


def test_import_statewide_refuses_an_envelope_above_the_default_limit(sqlite_url: str, tmp_path: Path):
    path = _sparse_json(tmp_path / "statewide.json", safety.DEFAULT_JSON_MAX_MB)
    assert main(["--db", sqlite_url, "import-statewide", str(path), "--election", "2026-03-03"]) == 2
