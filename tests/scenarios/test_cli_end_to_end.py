"""End to end through the `turnout` CLI on SQLite and PostgreSQL: every injected fault, its fix, its numbers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fault_scenario_builder import ELECTION, METHODS, build
from pg_logins import local_user

from turnout_desktop.cli.main import main
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import open_context

# county -> (final status, strategy that succeeded, diagnosis of the upload's run)
EXPECTED_OUTCOME = {
    "LOVING": ("RESOLVED", None, []),
    "KENEDY": ("RESOLVED", "refetch_statewide", ["missing_vuids", "timing"]),
    "BORDEN": ("RESOLVED", "fill_gaps", ["missing_vuids"]),
    "KING": ("RESOLVED", "remove_duplicates", ["duplicate_records"]),
    "MCMULLEN": ("RESOLVED", "fix_districts", ["wrong_district"]),
    "GLASSCOCK": ("ESCALATED", None, ["extra_vuids"]),
    "TERRELL": ("ESCALATED", None, ["unexplained"]),  # a summary is never timing for being newer
    "IRION": ("RESOLVED", None, []),
}


class Cli:
    def __init__(self, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.db_url = db_url
        self.capsys = capsys

    def __call__(self, *args: str, rc: int = 0) -> dict:
        self.capsys.readouterr()
        code = main(["--db", self.db_url, *args])
        captured = self.capsys.readouterr()
        assert code == rc, captured.err
        return json.loads(captured.out) if "--json" in args else {"text": captured.out}


@pytest.fixture
def scenario_cli(db_url, tmp_path, capsys):
    scenario = build(tmp_path / "files")
    cli = Cli(db_url, capsys)
    imported = cli("import-statewide", str(scenario.statewide), "--election", ELECTION, "--json")
    assert imported["inserted"] == 73
    cli("source", "set", str(scenario.newer_source))
    uploads = {}
    for county, path in scenario.uploads.items():
        uploads[county] = cli("submit", str(path), "--county", county, "--election", ELECTION,
                              *local_user(db_url, "clerk"), "--json")
    return scenario, cli, uploads


def test_every_fault_is_fixed_or_escalated_with_exact_counts(scenario_cli):
    scenario, cli, uploads = scenario_cli
    for county, (status, succeeded, diagnosis) in EXPECTED_OUTCOME.items():
        (result,) = uploads[county]["reconcile"]
        assert (result["county"], result["trigger_type"]) == (county, "COUNTY_UPLOAD")
        assert (result["status"], result["strategy_succeeded"], result["diagnosis"]) == (status, succeeded, diagnosis)
    assert uploads["BORDEN"]["reconcile"][0]["strategies_tried"] == ["refetch_statewide", "fill_gaps"]
    assert uploads["GLASSCOCK"]["reconcile"][0]["strategies_tried"][-1] == "manual_review"

    rows = cli("status", "--election", ELECTION, "--json")["counties"]
    assert {r["county"] for r in rows} == set(EXPECTED_OUTCOME)  # ROBERTS sent nothing: not reported
    database = {(r["county"], r["voting_method"]): r["database_count"] for r in rows}
    for county, counts in scenario.expected.items():
        assert [database[(county, m)] for m in METHODS] == [counts[m] for m in METHODS], county
        assert database[(county, "TOTAL")] == sum(counts.values())
    official = {(r["county"], r["voting_method"]): r["official_count"] for r in rows}
    assert [official[("TERRELL", m)] for m in (*METHODS, "TOTAL")] == [40, 30, 20, 90]
    assert [official[("GLASSCOCK", m)] for m in (*METHODS, "TOTAL")] == [2, 2, 2, 6]
    public = {r["county"] for r in rows if r["public"]}
    # BORDEN was healed with the county's own records (fill_gaps): RESOLVED, but nothing statewide confirms
    # them, so the gate holds it back.
    assert public == {c for c, (status, by, _d) in EXPECTED_OUTCOME.items()
                      if status == "RESOLVED" and by != "fill_gaps"}
    borden = [r for r in rows if r["county"] == "BORDEN" and r["voting_method"] == "TOTAL"][0]
    assert borden["public_message"].startswith("Not independently verified")

    out = Path(scenario.root) / "public.csv"
    cli("export-public", "--election", ELECTION, "--out", str(out))
    exported = {row[0] for row in list(csv.reader(out.open(encoding="utf-8-sig")))[1:]}
    assert exported == public

    gate = cli("gate", "--election", ELECTION, "--county", "Glasscock", "--party", "DEM", "--json")
    assert gate["allowed"] is False and gate["accuracy_pct"] == 50.0

    checked = cli("check", "--election", ELECTION, "--json")["results"]
    assert {r["county"]: r["check"] for r in checked} == dict.fromkeys(EXPECTED_OUTCOME, "unchanged")
    cli("check", "--election", ELECTION, "--strict", rc=3)


def test_undo_reopens_a_fixed_county_and_reconcile_fixes_it_again(scenario_cli):
    _scenario, cli, uploads = scenario_cli
    log_id = uploads["KING"]["reconcile"][0]["id"]
    (entry,) = [e for e in cli("log", "--county", "King", "--json")["entries"] if e["id"] == log_id]
    (fix_attempt,) = [a for a in entry["attempts"] if a["strategy"] == "remove_duplicates"]
    assert (fix_attempt["outcome"], fix_attempt["before_actual"], fix_attempt["after_actual"]) == ("resolved", 11, 9)
    detail = reconciliation.log_detail(open_context(cli.db_url), log_id)
    (fix,) = [f for f in detail.fixes if f.id == fix_attempt["fix_id"]]
    assert [a.action for a in fix.actions] == ["remove", "remove"]
    assert detail.gate.allowed is True
    undone = cli("undo", str(fix_attempt["fix_id"]), "--reason", "the duplicates were real votes", "--json")
    # Re-reconciled before undo returned, without the undone strategy: escalated to an administrator.
    assert undone["reconciled"] == [{"county": "KING", "party": "DEM", "status": "ESCALATED",
                                     "log_id": undone["reconciled"][0]["log_id"]}]
    gate = cli("gate", "--election", ELECTION, "--county", "KING", "--party", "DEM", "--json")
    assert gate["allowed"] is False and gate["level"] == "escalated"
    checked = {r["county"]: r for r in cli("check", "--election", ELECTION, "--json")["results"]}
    assert checked["KING"]["check"] == "unchanged" and checked["LOVING"]["check"] == "unchanged"
    (again,) = cli("reconcile", "--election", ELECTION, "--county", "King", "--json")["results"]
    assert (again["status"], again["strategy_succeeded"]) == ("RESOLVED", "remove_duplicates")


def test_dry_run_and_strict_reconcile(scenario_cli):
    _scenario, cli, _uploads = scenario_cli
    before = cli("log", "--json")["entries"]
    preview = cli("reconcile", "--election", ELECTION, "--county", "Glasscock", "--dry-run", "--json")["results"]
    assert [(p["county"], p["dry_run"], p["actual_total"]) for p in preview] == [("GLASSCOCK", True, 9)]
    assert cli("log", "--json")["entries"] == before
    results = cli("reconcile", "--election", ELECTION, "--strict", "--json", rc=3)["results"]
    assert {r["county"]: r["status"] for r in results} == {c: s for c, (s, _x, _d) in EXPECTED_OUTCOME.items()}
    assert all(r["trigger_type"] == "MANUAL" for r in results)
