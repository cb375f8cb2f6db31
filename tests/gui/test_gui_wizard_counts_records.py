"""The wizard's review and counts pages read the pre-check's records and show what `turnout precheck --json` says.

A real demo file, a real SQLite statewide cache; the pre-check is run directly (the worker's job), then the
pages are shown with it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from turnout_desktop.cli.main import main
from turnout_desktop.db.models import StatewideCountCache
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.labels import method_label
from turnout_desktop.gui import jobs
from turnout_desktop.gui.task_runner import TaskRunner
from turnout_desktop.gui.upload_wizard import UploadWizard
from turnout_desktop.services.context import open_context
from turnout_desktop.services.statewide_cache import StatewideCache
from turnout_desktop.services.upload_preview import check_upload

ROSTER = Path(__file__).resolve().parents[2] / "resources" / "demo" / "loving_roster.csv"
ELECTION = dt.date(2026, 3, 3)
CACHED = {("LOVING", "REP", "early-voting"): 3, ("LOVING", "DEM", "mail-in"): 4}


def _wizard(qtbot, empty_url: str) -> UploadWizard:
    runner = TaskRunner()
    wizard = UploadWizard(jobs.ContextSpec(empty_url), runner, [ROSTER], election=ELECTION)
    qtbot.addWidget(wizard)
    return wizard


def _shown_cells(wizard: UploadWizard) -> list[tuple[str, ...]]:
    model = wizard.counts_page.counts
    return [tuple(model.index(row, column).data() for column in range(model.columnCount()))
            for row in range(model.rowCount())]


def _expected_cells(rows: list[dict]) -> list[tuple[str, ...]]:
    return [(r["county"], r["party"], method_label(r["voting_method"]), f"{r['official']:,}",
             "" if r["statewide"] is None else f"{r['statewide']:,}",
             "" if r["difference"] is None else f"{r['difference']:+,}") for r in rows]


def _cli_statewide(capsys: pytest.CaptureFixture[str], url: str) -> list[dict]:
    assert main(["--db", url, "precheck", str(ROSTER), "--election", ELECTION.isoformat(), "--json"]) == 0
    return json.loads(capsys.readouterr().out)["statewide"]


def test_counts_page_shows_the_cli_comparison(qtbot, empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    context = open_context(empty_url)
    with transaction(context.engine) as session:
        session.add_all(StatewideCountCache(county=c, election_date=ELECTION, party=p, voting_method=m, count=n,
                                            as_of=dt.datetime(2026, 3, 4, 9, 30)) for (c, p, m), n in CACHED.items())
    context.engine.dispose()
    wizard = _wizard(qtbot, empty_url)
    check = check_upload([ROSTER], county=None, election=ELECTION, party=None, method=None, mapping=None,
                         statewide=StatewideCache(CACHED, "cache"))
    wizard.check = check
    wizard.review_page.show_check(check)
    assert wizard.review_page.layout_label.text().startswith(
        "Roster upload read with csv (utf-8); header on row 1; 40 data rows; 0 problem(s).")
    wizard.counts_page.initializePage()
    rows = _cli_statewide(capsys, empty_url)
    assert any(r["difference"] not in (None, 0) for r in rows)  # a real difference is shown
    assert _shown_cells(wizard) == _expected_cells(rows)


def test_counts_page_without_a_cache_shows_every_count(qtbot, empty_url: str) -> None:
    wizard = _wizard(qtbot, empty_url)
    check = check_upload([ROSTER], county=None, election=ELECTION, party=None, method=None, mapping=None)
    assert check.statewide == ()
    wizard.check = check
    wizard.counts_page.initializePage()
    counts = [{"county": c.county, "party": c.party, "voting_method": c.voting_method, "official": c.count,
               "statewide": None, "difference": None} for c in check.report.upload.counts]
    assert len(counts) == 8 and _shown_cells(wizard) == _expected_cells(counts)
