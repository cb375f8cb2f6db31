"""The CLI's text output (without --json) reads as words: table headings, triggers, methods, review states and
check results come from the label table (domain/labels.py); the --json output keeps the codes (for scripts).

The codes checked are derived from the code (tests/user_facing_codes.py), on the demo election in SQLite.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from demo_election import seed_demo_election
from user_facing_codes import CLI_COLUMNS, leaked_codes

from turnout_desktop.cli.main import main
from turnout_desktop.domain.labels import COLUMN_LABELS, review_label, trigger_label
from turnout_desktop.services.demo import DEMO_ELECTION

ELECTION = DEMO_ELECTION.isoformat()


@pytest.fixture
def demo_db(sqlite_url: str, tmp_path: Path) -> str:
    """The demo election: TERRELL and KENT escalate, LOVING resolves (trigger COUNTY_UPLOAD)."""
    seed_demo_election(sqlite_url, tmp_path)
    return sqlite_url


def _out(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> str:
    code = main(["--db", db_url, *args])
    captured = capsys.readouterr()
    assert code in (0, 3), captured.err
    return captured.out


def test_text_tables_and_lines_show_words_and_the_json_keeps_codes(demo_db: str,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    log = json.loads(_out(capsys, demo_db, "log", "--json"))["entries"]
    escalation = next(e["id"] for e in log if e["status"] == "ESCALATED")
    reviewed = _out(capsys, demo_db, "review", str(escalation), "--state", "wont-fix", "--reason", "Known")
    assert f"marked {review_label('wont-fix')}: Known" in reviewed
    _out(capsys, demo_db, "reconcile", "--election", ELECTION, "--county", "KENT")  # a MANUAL run

    texts = {args[0]: _out(capsys, demo_db, *args) for args in (
        ("log",), ("status", "--election", ELECTION), ("reconcile", "--election", ELECTION, "--dry-run"),
        ("check", "--election", ELECTION))}
    for command, text in texts.items():
        heading = text.splitlines()[0]
        assert "_" not in heading and heading.split()[0][0].isupper(), (command, heading)
        assert leaked_codes(text) == [], command
    assert all(trigger_label(trigger) in texts["log"] for trigger in ("COUNTY_UPLOAD", "MANUAL"))
    assert re.search(r"^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d \S+\s+KENT", texts["log"], re.MULTILINE)  # zone
    assert f"{review_label('wont-fix')}: Known" in texts["log"]
    assert "Early voting" in texts["status"] and "%" in texts["status"]
    assert all(COLUMN_LABELS[c] in texts["log"] for c in ("trigger_type", "final_accuracy_pct", "attempts_count"))

    # The JSON of the same commands keeps the stored codes and keys.
    entries = json.loads(_out(capsys, demo_db, "log", "--json"))["entries"]
    assert {"COUNTY_UPLOAD", "MANUAL"} <= {e["trigger_type"] for e in entries}
    assert next(e for e in entries if e["id"] == escalation)["review_state"] == "wont-fix"
    counties = json.loads(_out(capsys, demo_db, "status", "--election", ELECTION, "--json"))["counties"]
    assert "early-voting" in {row["voting_method"] for row in counties}
    assert set(CLI_COLUMNS) & set(counties[0])  # the JSON keys are the codes the text headings replace


def test_problem_lines_name_place_and_message_not_the_code(sqlite_url: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """`precheck` and a blocked `submit` print where and what, in words; the problem codes stay in --json."""
    roster = tmp_path / "loving_roster.csv"
    roster.write_text("VUID,Party,Method\n1100000001,REP,early-voting\n1100000002,XYZ,early-voting\n",
                      encoding="utf-8")
    assert main(["precheck", str(roster), "--county", "LOVING", "--election", ELECTION]) == 1
    precheck_text = capsys.readouterr().out
    assert main(["--db", sqlite_url, "submit", str(roster), "--county", "LOVING", "--election", ELECTION]) != 0
    submit_text = capsys.readouterr().out
    assert main(["precheck", str(roster), "--county", "LOVING", "--election", ELECTION, "--json"]) == 1
    codes = {problem["code"] for problem in json.loads(capsys.readouterr().out)["problems"]}
    assert "unknown_party" in codes
    for text in (precheck_text, submit_text):
        assert "[BLOCKING] loving_roster.csv, row 3" in text, text
        assert not [code for code in codes if code in text], text
