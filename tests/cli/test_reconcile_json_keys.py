"""The JSON of `turnout reconcile|check --json` keeps its keys, in order, now that reconciliation returns frozen
results (``engine/results.py``) instead of dicts: the ``reconciliation_log`` columns plus ``by_method`` (and
``check`` in a check), the dry run's own keys, and the same value shapes (lists, ISO dates, count objects)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import ELECTION, loving_database, turnout_json

# The statewide file lacks LOVING's third DEM voter: the roster has it, so fill_gaps has work to do.
STATEWIDE = [("1151000001", "LOVING", "DEM", "early-voting"), ("1151000002", "LOVING", "DEM", "early-voting"),
             ("1151000003", "LOVING", "REP", "mail-in")]
ROSTER = [("1151000001", "DEM", "early-voting"), ("1151000002", "DEM", "early-voting"),
          ("1151000004", "DEM", "early-voting"), ("1151000003", "REP", "mail-in")]

RUN_KEYS = ["id", "county", "election_date", "party", "trigger_type", "expected_total", "actual_total", "discrepancy",
            "discrepancy_pct", "diagnosis", "diagnosis_details", "strategies_tried", "strategy_succeeded",
            "attempts_count", "status", "current_strategy", "resolution_time_seconds", "final_accuracy_pct",
            "created_at", "updated_at", "resolved_at", "notes", "review_state", "review_reason", "by_method"]
DRY_RUN_KEYS = ["id", "county", "election_date", "party", "trigger_type", "expected_total", "actual_total",
                "discrepancy", "discrepancy_pct", "diagnosis", "diagnosis_details", "strategies_tried",
                "strategy_succeeded", "attempts_count", "status", "resolution_time_seconds", "final_accuracy_pct",
                "resolved_at", "notes", "by_method", "dry_run", "preview"]
# The roster counts every method (zero where none): by_method lists them in their usual order.
ZERO_METHODS = [("election-day", {"expected": 0, "actual": 0}), ("mail-in", {"expected": 0, "actual": 0})]
APPLIED_PREVIEW_KEYS = ["strategy", "applies", "message", "inserted", "removed", "reassigned", "updated", "preview"]


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """A tiny election: statewide records, and LOVING's roster (one DEM voter missing statewide)."""
    return loving_database(tmp_path, capsys, STATEWIDE, ROSTER, "--no-reconcile")


def test_dry_run_prints_its_own_keys_and_what_each_strategy_would_do(
        db: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    results = turnout_json(capsys, *db, "reconcile", "--election", ELECTION, "--dry-run", "--json")["results"]
    assert [(r["county"], r["party"]) for r in results] == [("LOVING", "DEM"), ("LOVING", "REP")]
    dem, rep = results
    assert [list(r) for r in results] == [DRY_RUN_KEYS, DRY_RUN_KEYS]
    assert (dem["id"], dem["dry_run"], dem["election_date"], dem["status"]) == (None, True, ELECTION, "IN_PROGRESS")
    assert (dem["diagnosis"], dem["strategies_tried"]) == (["missing_vuids", "timing"], [])
    assert list(dem["by_method"].items()) == [("early-voting", {"expected": 3, "actual": 2}),
                                              *ZERO_METHODS]
    applied = [p for p in dem["preview"] if p["applies"]]
    assert [p["strategy"] for p in applied] == ["fill_gaps"]
    assert list(applied[0]) == APPLIED_PREVIEW_KEYS and applied[0]["inserted"] == 1
    assert all(list(p) == ["strategy", "applies"] for p in dem["preview"] if not p["applies"])
    assert (rep["status"], rep["preview"]) == ("RESOLVED", [])  # nothing to preview where counts match


def test_reconcile_and_check_print_the_log_columns_and_by_method(
        db: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    results = turnout_json(capsys, *db, "reconcile", "--election", ELECTION, "--json")["results"]
    assert [list(r) for r in results] == [RUN_KEYS, RUN_KEYS]  # no "check" key outside a check
    dem = results[0]
    assert (dem["county"], dem["party"], dem["status"], dem["strategy_succeeded"]) == (
        "LOVING", "DEM", "RESOLVED", "fill_gaps")
    assert (dem["election_date"], dem["diagnosis"], dem["strategies_tried"]) == (
        ELECTION, ["missing_vuids", "timing"], ["fill_gaps"])
    assert list(dem["by_method"].items()) == [("early-voting", {"expected": 3, "actual": 3}),
                                              *ZERO_METHODS]
    assert isinstance(dem["created_at"], str) and dem["created_at"].startswith("20")

    checked = turnout_json(capsys, *db, "check", "--election", ELECTION, "--json")
    assert list(checked) == ["results", "checks", "audit"]
    assert [list(r) for r in checked["results"]] == [[*RUN_KEYS, "check"]] * 2
    assert [(r["county"], r["party"], r["check"]) for r in checked["results"]] == [
        ("LOVING", "DEM", "unchanged"), ("LOVING", "REP", "unchanged")]
    assert [r["id"] for r in checked["results"]] == [r["id"] for r in results]  # the runs above, reported as is
