"""Gaps a review found untested: non-default gate thresholds, the progress callback, a hard crash
mid-run picked up by the next run, and the CLI refusing an IN-PERSON file without a method."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import Engine, select

from turnout_desktop.cli.main import main as turnout_main
from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.db.session import transaction
from turnout_desktop.db.settings_store import GATE_VERIFIED, GATE_WITHIN, SUCCESS_THRESHOLD, set_setting
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files
from turnout_desktop.services.submission import import_statewide, submit_files


def _terrell(ctx: AppContext, tmp_path: Path, *, reconcile: bool = True) -> None:
    paths = write_demo_files(tmp_path / "demo")
    import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
    submit_files(ctx, [paths["TERRELL"]], election=DEMO_ELECTION, county="TERRELL", reconcile=reconcile)


def test_gate_thresholds_are_settings(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    _terrell(ctx, tmp_path)  # TERRELL REP: 24 records for 22 official -> accuracy 90.9091 %
    blocked = reconciliation.gate(ctx, DEMO_ELECTION, "TERRELL", "REP")
    assert (blocked["allowed"], blocked["accuracy_pct"]) == (False, 90.9091)
    assert blocked["level"] == "escalated"  # below the engine's 99.9 %: escalated, so held back
    with transaction(db_engine) as session:
        set_setting(session, GATE_VERIFIED, "95")
        set_setting(session, GATE_WITHIN, "90")
        set_setting(session, SUCCESS_THRESHOLD, "90")
    reconciliation.reconcile(ctx, DEMO_ELECTION, county="TERRELL")
    allowed = reconciliation.gate(ctx, DEMO_ELECTION, "TERRELL", "REP")
    assert allowed["allowed"] and allowed["message"] == "Data verified (within 10%), gap 9.09%"
    out = tmp_path / "public.csv"
    reconciliation.export_public(ctx, DEMO_ELECTION, out)
    text = out.read_text(encoding="utf-8-sig")
    assert '"TERRELL","2026-03-03","REP"' in text and '"TERRELL","2026-03-03","DEM"' not in text


def test_progress_callback_reports_each_county(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    _terrell(ctx, tmp_path, reconcile=False)
    seen: list[tuple[float, str]] = []
    reconciliation.reconcile(ctx, DEMO_ELECTION, progress=lambda fraction, text: seen.append((fraction, text)))
    assert seen, "no progress reported"
    fractions = [fraction for fraction, _text in seen]
    assert all(0.0 <= f <= 1.0 for f in fractions) and fractions == sorted(fractions)
    assert any("TERRELL" in text for _fraction, text in seen)


CRASHING_RUN = textwrap.dedent("""
    import datetime as dt, os, sys
    from turnout_desktop.services import reconciliation
    from turnout_desktop.services.context import open_context
    from turnout_desktop.engine.types import StrategyResult

    class Crash:
        name, letter = "refetch_statewide", "A"
        def applies(self, diagnosis):
            return True
        def execute(self, context):
            os._exit(9)  # the process dies mid-attempt: no cleanup, no exception handling

    ctx = open_context(sys.argv[1], migrate=False)
    reconciliation.reconcile(ctx, dt.date(2026, 3, 3), county="TERRELL", party="REP", strategies=[Crash()])
""")


def test_a_hard_crash_leaves_in_progress_that_the_next_run_finishes(db_url: str, db_engine: Engine,
                                                                    tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    _terrell(ctx, tmp_path, reconcile=False)
    crashed = subprocess.run([sys.executable, "-c", CRASHING_RUN, db_url], capture_output=True, timeout=120)
    assert crashed.returncode == 9, crashed.stderr.decode(errors="replace")
    with transaction(db_engine) as session:
        (left,) = session.execute(select(ReconciliationLog)).scalars().all()
        assert (left.county, left.party, left.status) == ("TERRELL", "REP", "IN_PROGRESS")
        crashed_id = left.id
    (result,) = reconciliation.reconcile(ctx, DEMO_ELECTION, county="TERRELL", party="REP")
    assert result["id"] == crashed_id and result["status"] == "ESCALATED"
    with transaction(db_engine) as session:
        statuses = session.execute(select(ReconciliationLog.status)).scalars().all()
        assert statuses == ["ESCALATED"]


def test_cli_refuses_in_person_rows_without_a_method(tmp_path: Path, capsys) -> None:
    roster = tmp_path / "statewide_roster.csv"  # no EV/ED clue in the name
    roster.write_text('"COUNTY","VOTER_NAME","ID_VOTER","VOTING_METHOD","PRECINCT"\n'
                      '"LOVING","DOE, JANE","1151000001","IN-PERSON","0001"\n', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 't.db'}"
    code = turnout_main(["--db", url, "import-statewide", str(roster), "--election", "2026-03-03", "--party", "REP"])
    assert code == 2
    assert "--in-person-method" in capsys.readouterr().err
    code = turnout_main(["--db", url, "import-statewide", str(roster), "--election", "2026-03-03", "--party", "REP",
                         "--in-person-method", "election-day", "--json"])
    assert code == 0
    assert dt.date(2026, 3, 3) == DEMO_ELECTION
