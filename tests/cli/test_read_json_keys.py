"""The JSON of `turnout status|gate|log|source show --json` keeps its keys, in order, now that the read side of
reconciliation returns frozen records (``services/reconciliation_results.py``) instead of dicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import ELECTION, loving_database, turnout_json

from turnout_desktop.cli.main import main as turnout_main

STATEWIDE = [("1152000001", "LOVING", "DEM", "early-voting"), ("1152000002", "LOVING", "DEM", "early-voting")]
ROSTER = [("1152000001", "DEM", "early-voting"), ("1152000002", "DEM", "early-voting"),
          ("1152000003", "DEM", "early-voting")]  # one voter the statewide file lacks: a log entry with attempts

STATUS_KEYS = ["county", "party", "voting_method", "official_count", "database_count", "confirmed_count", "verified",
               "status", "accuracy_pct", "confirmed_accuracy_pct", "public", "public_message", "public_level",
               "certification", "last_verified_at"]
GATE_KEYS = ["allowed", "accuracy_pct", "message", "level"]
ENTRY_KEYS = ["id", "county", "election_date", "party", "trigger_type", "expected_total", "actual_total",
              "discrepancy", "discrepancy_pct", "diagnosis", "diagnosis_details", "strategies_tried",
              "strategy_succeeded", "attempts_count", "status", "current_strategy", "resolution_time_seconds",
              "final_accuracy_pct", "created_at", "updated_at", "resolved_at", "notes", "review_state",
              "review_reason", "by_method", "attempts"]
ATTEMPT_KEYS = ["id", "attempt_no", "strategy", "outcome", "before_actual", "after_actual", "before_accuracy_pct",
                "after_accuracy_pct", "before_counts", "after_counts", "fix_id", "message", "started_at",
                "finished_at"]
SOURCE_KEYS = ["statewide_source", "kind", "cache"]
# What the command-line contract requires at the least (its checker looks for these keys).
CONTRACT_STATUS_KEYS = {"county", "party", "voting_method", "official_count", "database_count", "verified", "status",
                        "accuracy_pct", "public", "public_message"}
CONTRACT_GATE_KEYS = {"allowed", "accuracy_pct", "message"}
CONTRACT_LOG_KEYS = {"county", "election_date", "party", "expected_total", "actual_total", "discrepancy",
                     "discrepancy_pct", "diagnosis", "diagnosis_details", "strategies_tried", "strategy_succeeded",
                     "attempts_count", "status", "resolution_time_seconds", "final_accuracy_pct", "by_method"}


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """LOVING DEM reconciled once: fill_gaps adds the voter the statewide file lacks."""
    return loving_database(tmp_path, capsys, STATEWIDE, ROSTER)


def test_status_and_gate_print_the_contract_keys_in_order(db: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status = turnout_json(capsys, *db, "status", "--election", ELECTION, "--json")
    assert list(status) == ["counties"]
    rows = status["counties"]
    assert [row["voting_method"] for row in rows] == ["early-voting", "election-day", "mail-in", "TOTAL"]
    assert all(list(row) == STATUS_KEYS for row in rows) and CONTRACT_STATUS_KEYS <= set(rows[0])
    total = rows[-1]
    # fill_gaps added the county-only voter: every vote counted, but not all of them statewide-confirmed
    assert (total["official_count"], total["database_count"], total["verified"], total["public"]) == (3, 3, True, False)
    assert isinstance(total["last_verified_at"], str)
    gate = turnout_json(capsys, *db, "gate", "--election", ELECTION, "--county", "Loving", "--party", "DEM", "--json")
    assert list(gate) == GATE_KEYS and CONTRACT_GATE_KEYS <= set(gate)
    assert (gate["allowed"], gate["message"]) == (total["public"], total["public_message"])
    unknown = turnout_json(capsys, *db, "gate", "--election", ELECTION, "--county", "Kent", "--party", "DEM", "--json")
    assert unknown == {"allowed": False, "accuracy_pct": None,
                       "message": "Blocked: no official county count to verify against", "level": "no_data"}


def test_log_prints_entries_with_attempts_and_no_override_key(db: list[str],
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    log = turnout_json(capsys, *db, "log", "--county", "Loving", "--json")
    assert list(log) == ["entries", "overrides"]
    (entry,) = log["entries"]
    assert list(entry) == ENTRY_KEYS and CONTRACT_LOG_KEYS <= set(entry)  # ``override`` only on the dashboard
    assert (entry["county"], entry["election_date"], entry["status"]) == ("LOVING", ELECTION, "RESOLVED")
    assert isinstance(entry["diagnosis"], list) and isinstance(entry["strategies_tried"], list)
    assert entry["attempts"] and all(list(attempt) == ATTEMPT_KEYS for attempt in entry["attempts"])
    assert entry["strategy_succeeded"] == entry["attempts"][-1]["strategy"] == "fill_gaps"


def test_source_show_prints_the_source_its_kind_and_no_cache(db: list[str], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert turnout_json(capsys, *db, "source", "show", "--json") == {"statewide_source": None, "kind": None,
                                                                     "cache": None}
    assert turnout_main([*db, "source", "set", str(tmp_path)]) == 0
    capsys.readouterr()
    shown = turnout_json(capsys, *db, "source", "show", "--json")
    assert list(shown) == SOURCE_KEYS
    assert (shown["statewide_source"], shown["kind"], shown["cache"]) == (str(tmp_path.resolve()), "folder", None)
