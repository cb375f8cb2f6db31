"""The wizard's pre-check job and ``turnout precheck --json`` are one pre-check with one statewide-cache reader.

Real files (the committed xls/ods fixtures, written xlsx with an ``_Updated`` correction) and real SQLite
cache databases; no Qt (the jobs run on the worker).
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from quality_roster import write_mixed_roster

import turnout_desktop
from turnout_desktop.cli.common import json_ready
from turnout_desktop.cli.main import main
from turnout_desktop.db.models import StatewideCountCache
from turnout_desktop.db.session import transaction
from turnout_desktop.gui import jobs
from turnout_desktop.gui.wizard_jobs import run_precheck
from turnout_desktop.services.context import open_context

PACKAGE = Path(turnout_desktop.__file__).resolve().parent
FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
ELECTION = dt.date(2026, 3, 3)


def _wizard_check(paths: list[Path], county: str | None, spec: jobs.ContextSpec | None = None):
    return run_precheck(spec, paths, county=county, election=ELECTION, party=None, method=None, mapping=None,
                        progress=lambda _f, _t: None, cancelled=lambda: False)


def _cli_json(capsys: pytest.CaptureFixture[str], paths: list[Path], county: str | None,
              db: str | None = None) -> tuple[int, dict, str]:
    args = (["--db", db] if db else []) + ["precheck", *map(str, paths), "--election", ELECTION.isoformat(), "--json"]
    code = main(args + (["--county", county] if county else []))
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def _superseded_pair(tmp_path: Path) -> list[Path]:
    original = write_mixed_roster(tmp_path / "Loving_EV.xlsx")
    return [original, shutil.copy(original, tmp_path / "Loving_EV_Updated.xlsx")]


@pytest.mark.parametrize(("files", "county"), [
    (lambda _tmp: [FIXTURES / "travis_early_vote_03.03.2026.xls"], "Travis"),
    (lambda _tmp: [FIXTURES / "EV DEM REP Roster Hidalgo.ods"], "Hidalgo"),
    (_superseded_pair, "Loving"),
], ids=["travis-xls", "hidalgo-ods", "updated-supersedes-original"])
def test_wizard_and_cli_report_the_same_problems_and_counts(tmp_path, capsys, files, county):
    paths = files(tmp_path)
    check = _wizard_check(paths, county)
    code, payload, _err = _cli_json(capsys, paths, county)
    assert [p.to_json() for p in check.report.upload.problems] == payload["problems"]
    counts = [{"county": c.county, "party": c.party, "voting_method": c.voting_method, "count": c.count}
              for c in check.report.upload.counts]
    assert counts == payload["counts"] and counts
    assert check.row_count == payload["rows"] > 0
    assert json_ready(check.report.layout) == payload["layout"]
    assert check.report.ready is payload["ready"] and code == (0 if payload["ready"] else 1)
    if len(paths) == 2:  # the original is in the preview, not in the counts: both name it superseded
        assert [p["code"] for p in payload["problems"]].count("file_superseded") == 1
        assert [p.file for p in check.previews] == ["Loving_EV.xlsx", "Loving_EV_Updated.xlsx"]


def _cache_database(url: str, counts: dict[tuple[str, str, str], int]) -> None:
    context = open_context(url)
    with transaction(context.engine) as session:
        session.add_all(StatewideCountCache(county=c, election_date=ELECTION, party=p, voting_method=m, count=n,
                                            as_of=dt.datetime(2026, 3, 4, 9, 30)) for (c, p, m), n in counts.items())
    context.engine.dispose()


def test_wizard_and_cli_compare_with_the_same_statewide_cache(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    _cache_database(url, {("TRAVIS", "DEM", "early-voting"): 2, ("TRAVIS", "REP", "mail-in"): 5})
    paths = [FIXTURES / "travis_early_vote_03.03.2026.xls"]
    check = _wizard_check(paths, "Travis", jobs.ContextSpec(url))
    _code, payload, _err = _cli_json(capsys, paths, "Travis", url)
    assert json_ready(check.statewide) == payload["statewide"]
    assert payload["statewide"][0] == {"county": "TRAVIS", "party": "DEM", "voting_method": "early-voting",
                                       "official": 3, "statewide": 2, "difference": 1}
    assert check.offline is False


def test_an_unreadable_cache_fails_neither_the_wizard_nor_the_cli(tmp_path, capsys):
    garbage = tmp_path / "not-a-database.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    url = f"sqlite:///{garbage}"
    paths = [FIXTURES / "EV DEM REP Roster Hidalgo.ods"]
    check = _wizard_check(paths, "Hidalgo", jobs.ContextSpec(url))
    code, payload, err = _cli_json(capsys, paths, "Hidalgo", url)
    assert check.offline is True and check.statewide == () and check.report.ready
    assert code == 0 and "statewide" not in payload
    assert "turnout: no statewide cache (database unreadable: " in err


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_the_statewide_cache_is_read_in_one_place():
    """The wizard's job and ``turnout precheck`` import the one reader; no other module touches the table."""
    reader = "turnout_desktop.services.statewide_cache.read_statewide_cache"
    assert reader in _imports(PACKAGE / "gui" / "wizard_jobs.py")
    assert reader in _imports(PACKAGE / "cli" / "cmd_precheck.py")
    readers = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")
               if "StatewideCountCache" in path.read_text(encoding="utf-8")}
    # db/ defines the table (its package re-exports it), store/ refreshes it after a statewide import,
    # services/ reads it.
    assert readers == {"db/models/local_state.py", "db/models/__init__.py", "store/statewide_loader.py",
                       "services/statewide_cache.py"}

