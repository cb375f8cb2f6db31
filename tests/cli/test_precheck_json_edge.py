"""The pre-check's records and their JSON made at the CLI edge: `turnout precheck --json` stays as it was.

The expected payloads below were printed by ``turnout precheck --json`` before the report returned records
(``PrecheckReport.layout`` / ``statewide_comparison``); real demo files and a real SQLite cache, no mocks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from turnout_desktop.cli.common import json_ready
from turnout_desktop.cli.main import main
from turnout_desktop.db.models import StatewideCountCache
from turnout_desktop.db.session import transaction
from turnout_desktop.ingest.interpret.precheck import PrecheckLayout, StatewideComparison
from turnout_desktop.services.context import open_context
from turnout_desktop.services.precheck import precheck_upload

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"
ELECTION = dt.date(2026, 3, 3)
CACHED = {("LOVING", "REP", "early-voting"): 3, ("LOVING", "DEM", "mail-in"): 4}
MAPPING = {"vuid": "VUID", "party": "PARTY", "voting_method": "VOTING_METHOD", "precinct": "PRECINCT",
           "vote_date": "VOTE_DATE"}
LAYOUT = {"parser": "csv", "encoding": "utf-8", "sheet": None, "header_row": 1, "mapping": MAPPING, "kind": "roster",
          "sheets": [{"file": "loving_roster.csv", "sheet": None, "parser": "csv", "encoding": "utf-8",
                      "header_row": 1, "mapping": MAPPING, "kind": "roster", "rows_read": 40}]}
STATEWIDE_KEYS = ["county", "party", "voting_method", "official", "statewide", "difference"]
STATEWIDE = [("DEM", "early-voting", 13, None, None), ("DEM", "election-day", 7, None, None),
             ("DEM", "mail-in", 1, 4, -3), ("DEM", "TOTAL", 21, 4, 17),
             ("REP", "early-voting", 9, 3, 6), ("REP", "election-day", 8, None, None),
             ("REP", "mail-in", 2, None, None), ("REP", "TOTAL", 19, 3, 16)]


def _cache(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    context = open_context(url)
    with transaction(context.engine) as session:
        session.add_all(StatewideCountCache(county=c, election_date=ELECTION, party=p, voting_method=m, count=n,
                                            as_of=dt.datetime(2026, 3, 4, 9, 30)) for (c, p, m), n in CACHED.items())
    context.engine.dispose()
    return url


def test_precheck_json_keys_and_values_are_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _cache(tmp_path)
    assert main(["--db", url, "precheck", str(DEMO / "loving_roster.csv"), "--election", "2026-03-03",
                 "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == ["layout", "rows", "counts", "problems", "ready", "statewide"]
    assert payload["layout"] == LAYOUT
    assert list(payload["layout"]) == list(LAYOUT) and list(payload["layout"]["sheets"][0]) == list(LAYOUT["sheets"][0])
    assert (payload["rows"], payload["problems"], payload["ready"]) == (40, [], True)
    assert [list(row) for row in payload["statewide"]] == [STATEWIDE_KEYS] * len(STATEWIDE)
    assert payload["statewide"] == [dict(zip(STATEWIDE_KEYS, ("LOVING", *row), strict=True)) for row in STATEWIDE]


def test_the_report_hands_out_frozen_records(tmp_path: Path) -> None:
    report = precheck_upload([DEMO / "loving_roster.csv"], statewide_counts=CACHED).report
    layout = report.layout
    assert isinstance(layout, PrecheckLayout) and json_ready(layout) == LAYOUT
    assert [sheet.rows_read for sheet in layout.sheets] == [40]
    comparison = report.statewide_comparison
    assert all(isinstance(row, StatewideComparison) for row in comparison)
    assert [(r.party, r.voting_method, r.official, r.statewide, r.difference) for r in comparison] == STATEWIDE
    with pytest.raises(dataclasses.FrozenInstanceError):
        comparison[0].statewide = 0  # type: ignore[misc]


def test_without_a_cache_every_count_is_compared_with_nothing() -> None:
    report = precheck_upload([DEMO / "loving_roster.csv"]).report
    assert report.statewide_counts is None
    assert [(r.voting_method, r.official, r.statewide, r.difference) for r in report.statewide_comparison] == [
        (method, official, None, None) for _party, method, official, _s, _d in STATEWIDE]


def test_nothing_read_gives_an_empty_layout() -> None:
    report = precheck_upload([DEMO / "loving_roster.csv"]).report
    empty = dataclasses.replace(report, upload=dataclasses.replace(report.upload, files=[]))
    assert json_ready(empty.layout) == {"parser": None, "encoding": None, "sheet": None, "header_row": None,
                                        "mapping": {}, "kind": "roster", "sheets": []}
