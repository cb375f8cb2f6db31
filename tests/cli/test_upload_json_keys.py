"""The JSON of `turnout submit|import-statewide|import-precincts|outbox` keeps its keys now that the services
return frozen records (``services/submission_results.py``, ``services/outbox.py``) instead of dicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runs import ELECTION, turnout_json, write_roster, write_statewide
from csv_files import write_csv

from turnout_desktop.cli.main import main as turnout_main

ROWS = [("1151000001", "LOVING", "DEM", "early-voting"), ("1151000002", "LOVING", "DEM", "early-voting"),
        ("1151000003", "LOVING", "REP", "mail-in"), ("1131000001", "KENEDY", "REP", "election-day")]

SUBMIT_KEYS = {"stored", "duplicate", "submission_ids", "counties", "kind", "rows", "counts", "problems", "reconcile"}
COUNT_KEYS = {"county", "party", "voting_method", "count"}
PROBLEM_KEYS = {"file", "sheet", "row", "column", "value", "code", "message", "blocking"}
IMPORT_KEYS = {"files", "rows_read", "inserted", "duplicates_collapsed", "skipped_files"}
SKIPPED_FILE_KEYS = {"file", "sha256", "skipped_file", "rows_read", "inserted", "already_present", "source_file_id"}
LOADED_FILE_KEYS = SKIPPED_FILE_KEYS | {"rows_skipped", "as_of", "as_of_from", "by_county"}
OUTBOX_ITEM_KEYS = {"id", "uuid", "created_at", "election", "counties", "files", "user", "pushed_at", "last_error"}
PUSHED_KEYS = {"id", "uuid", "status", "submission_ids", "counties", "error", "reconcile", "reconcile_error"}


def test_submit_and_imports_print_the_same_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 't.db'}"]
    statewide = write_statewide(tmp_path / "statewide.csv", ROWS)
    imported = turnout_json(capsys, *db, "import-statewide", str(statewide), "--election", ELECTION, "--json")
    assert set(imported) == IMPORT_KEYS and (imported["inserted"], imported["skipped_files"]) == (4, [])
    (loaded,) = imported["files"]
    assert set(loaded) == LOADED_FILE_KEYS
    assert (loaded["skipped_file"], loaded["by_county"], loaded["rows_skipped"]) == (
        False, {"KENEDY": 1, "LOVING": 3}, {})
    assert (loaded["as_of"], loaded["as_of_from"]) == ("2026-02-20T23:59:59", "latest vote date")

    again = turnout_json(capsys, *db, "import-statewide", str(statewide), "--election", ELECTION, "--json")
    assert set(again) == IMPORT_KEYS and again["skipped_files"] == ["statewide.csv"]
    (skipped,) = again["files"]
    assert set(skipped) == SKIPPED_FILE_KEYS and skipped["skipped_file"] is True
    assert skipped["source_file_id"] is None and skipped["sha256"] == loaded["sha256"]

    roster = write_roster(tmp_path / "loving_roster.csv",
                          [(vuid, party, method) for vuid, county, party, method in ROWS if county == "LOVING"])
    submitted = turnout_json(capsys, *db, "submit", str(roster), "--county", "Loving", "--election", ELECTION,
                             "--no-reconcile", "--json")
    assert set(submitted) == SUBMIT_KEYS
    assert (submitted["stored"], submitted["counties"], submitted["kind"], submitted["rows"]) == (
        True, ["LOVING"], "roster", 3)
    assert submitted["reconcile"] == [] and len(submitted["submission_ids"]) == 1
    assert all(set(count) == COUNT_KEYS for count in submitted["counts"])
    assert {(c["party"], c["count"]) for c in submitted["counts"] if c["voting_method"] == "TOTAL"} == {
        ("DEM", 2), ("REP", 1)}
    assert all(set(problem) == PROBLEM_KEYS for problem in submitted["problems"])

    repeat = turnout_json(capsys, *db, "submit", str(roster), "--county", "Loving", "--election", ELECTION, "--json")
    assert set(repeat) == SUBMIT_KEYS and (repeat["stored"], repeat["duplicate"]) == (False, True)
    assert [run["county"] for run in repeat["reconcile"]] == ["LOVING", "LOVING"]  # unfinished: finished now

    precincts = write_csv(tmp_path / "precincts.csv", ["County", "Precinct", "District"],
                          [("Loving", "0001", "D1"), ("Loving", "0002", "D2")])
    assert turnout_json(capsys, *db, "import-precincts", str(precincts), "--json") == {
        "file": "precincts.csv", "rows": 2, "inserted": 2, "updated": 0}


def test_outbox_commands_print_the_same_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local = ["--db", f"sqlite:///{tmp_path / 'local.db'}"]
    server = f"sqlite:///{tmp_path / 'server.db'}"
    assert turnout_main(["--db", server, "init"]) == 0
    capsys.readouterr()
    roster = write_roster(tmp_path / "loving_roster.csv", [("1151000001", "DEM", "early-voting")])
    queued = turnout_json(capsys, *local, "submit", str(roster), "--county", "Loving", "--election", ELECTION,
                          "--user", "clerk1", "--offline", "--json")
    assert set(queued) == {"stored", "queued", "outbox_item"} and set(queued["outbox_item"]) == OUTBOX_ITEM_KEYS
    assert (queued["outbox_item"]["election"], queued["outbox_item"]["files"]) == (ELECTION, ["loving_roster.csv"])
    (listed,) = turnout_json(capsys, *local, "outbox", "list", "--json")
    assert listed == queued["outbox_item"]

    pushed = turnout_json(capsys, *local, "outbox", "push", "--server", server, "--no-reconcile", "--json")
    assert set(pushed) == {"reachable", "items"}
    (item,) = pushed["items"]
    assert set(item) == PUSHED_KEYS  # "unreachable" only for a failed item
    assert (item["status"], item["counties"], item["error"], item["reconcile"]) == ("pushed", ["LOVING"], None, [])
