"""Review fixes: timing ignores undone statewide data, data_format ignores layout notes, undo refreshes status."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, select

from turnout_desktop.db.models import Fix
from turnout_desktop.db.session import transaction
from turnout_desktop.engine.compare import compare
from turnout_desktop.engine.diagnose import diagnose, is_format_problem
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files
from turnout_desktop.services.fixes import undo_fix
from turnout_desktop.services.submission import import_statewide, submit_files


def _diagnosis_codes(engine: Engine, county: str, party: str) -> list[str]:
    with transaction(engine) as session:
        (comparison,) = compare(session, DEMO_ELECTION, county=county, party=party, update=False)
        return diagnose(session, comparison, has_statewide_source=True).codes


def _totals(ctx: AppContext, county: str) -> dict[str, tuple[int, int, bool]]:
    return {row.party: (row.official_count, row.database_count, row.verified)
            for row in reconciliation.status(ctx, DEMO_ELECTION)
            if row.county == county and row.voting_method == "TOTAL"}


def test_undoing_a_refetch_brings_back_timing_and_unverifies(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    paths = write_demo_files(tmp_path / "demo")
    import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
    reconciliation.set_statewide_source(ctx, str(paths["newer"].parent))
    results = submit_files(ctx, [paths["KENEDY"]], election=DEMO_ELECTION, county="KENEDY").reconcile
    assert {r.strategy_succeeded for r in results} == {"refetch_statewide", None}
    assert all(verified for _official, _actual, verified in _totals(ctx, "KENEDY").values())
    with transaction(db_engine) as session:
        fix_id = session.execute(select(Fix.id).where(Fix.strategy == "refetch_statewide")).scalar_one()

    undo_fix(ctx, fix_id, reason="test undo", reconcile=False)  # the diagnosis right after the undo

    totals = _totals(ctx, "KENEDY")
    assert not any(verified for _official, _actual, verified in totals.values())
    assert all(actual < official for official, actual, _verified in totals.values())
    # The records the re-fetch brought are soft-removed again: the newest statewide vote is older than
    # the county's election-day votes once more, so timing (and with it strategy A) is diagnosed again.
    assert "timing" in _diagnosis_codes(db_engine, "KENEDY", "DEM")


def test_layout_notes_are_not_a_data_format_cause(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    paths = write_demo_files(tmp_path / "demo")
    import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
    with paths["KING"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    bannered = tmp_path / "king_roster_banner.csv"
    with bannered.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["King County Early Voting Roster"])  # a banner row: skipped, informational
        writer.writerow([])
        writer.writerows(rows)
    result = submit_files(ctx, [bannered], election=DEMO_ELECTION, county="KING", reconcile=False)
    assert any(p.code in ("banner_skipped", "blank_row") for p in result.problems)
    codes = _diagnosis_codes(db_engine, "KING", "DEM")
    assert "missing_vuids" in codes and "data_format" not in codes


def test_format_problem_codes() -> None:
    assert is_format_problem("vuid_repaired_float") and is_format_problem("vuid_too_short")
    assert is_format_problem("encoding_fallback") and is_format_problem("footer_total_mismatch")
    assert is_format_problem("anything", blocking=True)
    for note in ("banner_skipped", "blank_row", "footer_total", "duplicate_row", "party_assumed_all", None):
        assert not is_format_problem(note)
    assert dt.date(2026, 3, 3) == DEMO_ELECTION
