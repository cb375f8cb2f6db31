"""A hard crash in the middle of a reconciliation run (the process dies inside a strategy, no cleanup):
the log row is left IN_PROGRESS and the next run picks it up and finishes it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import Engine, select

from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files
from turnout_desktop.services.submission import import_statewide, submit_files


def _terrell(ctx: AppContext, tmp_path: Path, *, reconcile: bool = True) -> None:
    paths = write_demo_files(tmp_path / "demo")
    import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
    submit_files(ctx, [paths["TERRELL"]], election=DEMO_ELECTION, county="TERRELL", reconcile=reconcile)



CRASHING_RUN = textwrap.dedent("""
    import datetime as dt, os, sys
    from turnout_desktop.domain.scope import Scope
    from turnout_desktop.services import reconciliation
    from turnout_desktop.services.context import open_context
    from turnout_desktop.engine.types import StrategyResult

    class Crash:
        name, letter, label = "refetch_statewide", "A", "Crash"
        handles, priority, escalates = ("missing_vuids", "timing"), 10, False
        def applies(self, diagnosis):
            return True
        def execute(self, context):
            os._exit(9)  # the process dies mid-attempt: no cleanup, no exception handling

    ctx = open_context(sys.argv[1], migrate=False)
    reconciliation.reconcile(ctx, Scope(dt.date(2026, 3, 3), county="TERRELL", party="REP"), strategies=[Crash()])
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
    (result,) = reconciliation.reconcile(ctx, Scope(DEMO_ELECTION, county="TERRELL", party="REP"))
    assert result.id == crashed_id and result.status == "ESCALATED"
    with transaction(db_engine) as session:
        statuses = session.execute(select(ReconciliationLog.status)).scalars().all()
        assert statuses == ["ESCALATED"]
