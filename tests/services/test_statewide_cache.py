"""The statewide-count cache reader (services/statewide_cache.py) and `turnout precheck` comparing with it
(real SQLite files, no mocks)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.ingest.conftest import write_text
from turnout_desktop.cli.main import main
from turnout_desktop.db.models import StatewideCountCache
from turnout_desktop.db.session import default_data_dir, default_sqlite_url, transaction
from turnout_desktop.services.context import open_context
from turnout_desktop.services.statewide_cache import read_statewide_cache

ELECTION = dt.date(2026, 3, 3)
CONTRACT_KEYS = ["layout", "rows", "counts", "problems", "ready"]


def _cache_database(url: str, counts: dict[tuple[str, str, str], int], election: dt.date = ELECTION) -> None:
    context = open_context(url)
    with transaction(context.engine) as session:
        session.add_all(StatewideCountCache(county=c, election_date=election, party=p, voting_method=m, count=n,
                                            as_of=dt.datetime(2026, 3, 4, 9, 30))
                        for (c, p, m), n in counts.items())
    context.engine.dispose()


def _roster(tmp_path: Path) -> Path:
    # Three early votes and one mail ballot for REP in Loving County.
    return write_text(tmp_path / "Loving County REP.csv",
                      ["VUID,Method", "1000000001,EV", "1000000002,EV", "1000000003,EV", "1000000004,BBM"])


CACHED = {("LOVING", "REP", "early-voting"): 2, ("LOVING", "REP", "mail-in"): 1,
          ("LOVING", "DEM", "early-voting"): 7, ("ANDREWS", "REP", "early-voting"): 40}


def test_json_has_statewide_comparison_from_db_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    _cache_database(url, CACHED)
    _cache_database(url, {("LOVING", "REP", "early-voting"): 99}, election=dt.date(2024, 11, 5))  # other election
    path = _roster(tmp_path)
    assert main(["--db", url, "precheck", str(path), "--election", "2026-03-03", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == [*CONTRACT_KEYS, "statewide"]
    assert payload["statewide"] == [
        {"county": "LOVING", "party": "REP", "voting_method": "early-voting", "official": 3, "statewide": 2,
         "difference": 1},
        {"county": "LOVING", "party": "REP", "voting_method": "election-day", "official": 0, "statewide": None,
         "difference": None},
        {"county": "LOVING", "party": "REP", "voting_method": "mail-in", "official": 1, "statewide": 1,
         "difference": 0},
        {"county": "LOVING", "party": "REP", "voting_method": "TOTAL", "official": 4, "statewide": 3,
         "difference": 1},
    ]


def test_human_output_prints_the_comparison(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    _cache_database(url, CACHED)
    assert main(["--db", url, "precheck", str(_roster(tmp_path)), "--election", "2026-03-03"]) == 0
    out = capsys.readouterr().out
    assert "Statewide comparison (statewide cache for the 2026-03-03 election, as of 2026-03-04 09:30):" in out
    lines = out.splitlines()
    assert f"{'LOVING':<16}{'REP':<7}{'early-voting':<14}{3:>10}{'2':>11}{'+1':>12}" in lines
    assert f"{'LOVING':<16}{'REP':<7}{'election-day':<14}{0:>10}{'-':>11}{'-':>12}" in lines
    assert f"{'LOVING':<16}{'REP':<7}{'TOTAL':<14}{4:>10}{'3':>11}{'+1':>12}" in lines


def test_default_local_database_is_used_and_never_created(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = _roster(tmp_path)
    local_file = default_data_dir() / "turnout.db"
    assert not local_file.exists()
    assert main(["precheck", str(path), "--election", "2026-03-03", "--json"]) == 0
    captured = capsys.readouterr()
    assert list(json.loads(captured.out)) == CONTRACT_KEYS
    assert "no statewide cache (no local database)" in captured.err
    assert not local_file.exists() and not local_file.parent.joinpath("turnout.db-wal").exists()
    _cache_database(default_sqlite_url(), CACHED)
    assert main(["precheck", str(path), "--election", "2026-03-03", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["statewide"][0]["statewide"] == 2


def test_unreadable_or_missing_cache_never_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _roster(tmp_path)
    garbage = tmp_path / "not-a-database.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    assert main(["--db", f"sqlite:///{garbage}", "precheck", str(path), "--election", "2026-03-03"]) == 0
    out = capsys.readouterr().out
    assert "Statewide comparison: no statewide cache (database unreadable: " in out
    assert "Ready to submit." in out
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    _cache_database(empty, {})
    assert main(["--db", empty, "precheck", str(path), "--election", "2026-03-03", "--json"]) == 0
    captured = capsys.readouterr()
    assert list(json.loads(captured.out)) == CONTRACT_KEYS
    assert "no statewide cache for the 2026-03-03 election" in captured.err
    assert read_statewide_cache(empty, None).counts is None
    assert read_statewide_cache("nonsense://", ELECTION).note.startswith("no statewide cache (database unreadable")
    assert read_statewide_cache(f"sqlite:///{tmp_path / 'absent.db'}", ELECTION).counts is None
    assert not (tmp_path / "absent.db").exists()


def test_cache_reader_returns_exact_counts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    _cache_database(url, CACHED)
    cache = read_statewide_cache(url, ELECTION)
    assert cache.counts == CACHED
    assert cache.note == "statewide cache for the 2026-03-03 election, as of 2026-03-04 09:30"
