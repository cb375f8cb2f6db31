"""The JSON of the admin decision and certification commands keeps its keys, in order, now that the services
return frozen records (``services/fixes_results.py``, ``services/certification.py``): ``override``,
``override revoke``, ``review``, ``undo``, ``certify``, ``uncertify``, ``certifications``, the overrides of
``log`` and the drift alarms of ``check``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from turnout_desktop.cli.main import main
from turnout_desktop.db.models import Fix, ReconciliationLog, TurnoutRecord, utcnow
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.services.context import open_context
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files
from turnout_desktop.services.submission import import_statewide, submit_files

ELECTION = DEMO_ELECTION.isoformat()
OVERRIDE_COLUMNS = ["id", "county", "election_date", "party", "status", "reason", "created_by", "created_at",
                    "revoked_at"]
CERTIFICATION_KEYS = ["id", "election", "county", "certified_at", "certified_by", "reason", "last_drift_check_at",
                      "revoked_at", "revoked_by", "revoke_reason", "in_force"]


@pytest.fixture
def seeded_url(sqlite_url: str, tmp_path: Path) -> str:
    """The demo election: TERRELL and KENT escalate, LOVING resolves, MCMULLEN is healed by a fix."""
    ctx = open_context(sqlite_url)
    paths = write_demo_files(tmp_path / "demo")
    try:
        import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
        for county in ("TERRELL", "KENT", "LOVING", "MCMULLEN"):
            submit_files(ctx, [paths[county]], election=DEMO_ELECTION, county=county)
    finally:
        ctx.engine.dispose()
    return sqlite_url


def _json(capsys: pytest.CaptureFixture[str], db_url: str, *args: str, exit_code: int = 0) -> Any:
    capsys.readouterr()
    assert main(["--db", db_url, *args, "--json"]) == exit_code
    return json.loads(capsys.readouterr().out)


def _first(db_url: str, column: Any, *where: Any) -> Any:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        value = session.execute(select(column).where(*where).order_by(column).limit(1)).scalar_one()
    engine.dispose()
    return value


def test_override_revoke_and_review_keep_their_keys(seeded_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    override = ["override", "--election", ELECTION, "--county", "KENT", "--party", "REP"]
    first = _json(capsys, seeded_url, *override, "--reason", "Phoned the county")
    second = _json(capsys, seeded_url, *override, "--reason", "Canvass sheet")
    assert list(first) == [*OVERRIDE_COLUMNS, "submission_id", "replaced_override_id"]
    assert (first["replaced_override_id"], second["replaced_override_id"]) == (None, first["id"])
    revoked = _json(capsys, seeded_url, "override", "revoke", str(second["id"]), "--reason", "Numbers match")
    assert list(revoked) == [*OVERRIDE_COLUMNS, "submission_id", "reason_revoked"]
    assert (revoked["reason_revoked"], revoked["revoked_at"] is not None) == ("Numbers match", True)

    log_id = _first(seeded_url, ReconciliationLog.id, ReconciliationLog.county == "TERRELL",
                    ReconciliationLog.status == "ESCALATED")
    reviewed = _json(capsys, seeded_url, "review", str(log_id), "--state", "investigating", "--reason", "Called")
    assert reviewed == {"log_id": log_id, "county": "TERRELL", "party": reviewed["party"], "election_date": ELECTION,
                        "status": "ESCALATED", "review_state": "investigating", "review_reason": "Called",
                        "previous_state": None}
    assert list(reviewed) == ["log_id", "county", "party", "election_date", "status", "review_state",
                              "review_reason", "previous_state"]

    listed = _json(capsys, seeded_url, "log", "--county", "KENT")["overrides"]
    assert [list(row) for row in listed] == [[*OVERRIDE_COLUMNS, "in_force", "ended_by_upload"]] * 2
    assert [(row["id"], row["in_force"]) for row in listed] == [(second["id"], False), (first["id"], False)]


def test_undo_keeps_its_keys(seeded_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    fix_id = _first(seeded_url, Fix.id, Fix.county == "MCMULLEN")
    undone = _json(capsys, seeded_url, "undo", str(fix_id), "--reason", "the voters were ours")
    assert list(undone) == ["fix_id", "strategy", "county", "reversed", "by_action", "reason", "affected_counties",
                            "reconciled"]
    assert (undone["fix_id"], undone["county"], undone["reason"]) == (fix_id, "MCMULLEN", "the voters were ours")
    assert "MCMULLEN" in undone["affected_counties"] and undone["reversed"] == sum(undone["by_action"].values())
    assert undone["reconciled"] and all(list(row) == ["county", "party", "status", "log_id"]
                                        for row in undone["reconciled"])


def test_certify_uncertify_certifications_and_the_drift_alarm_keep_their_keys(
        seeded_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    certified = _json(capsys, seeded_url, "certify", "--election", ELECTION, "--county", "Loving", "--reason",
                      "canvass", "--user", "jdoe")
    assert list(certified) == CERTIFICATION_KEYS
    assert (certified["county"], certified["certified_by"], certified["in_force"]) == ("LOVING", "jdoe", True)
    kent = _json(capsys, seeded_url, "certify", "--election", ELECTION, "--county", "KENT", "--reason", "canvass")
    revoked = _json(capsys, seeded_url, "uncertify", "--election", ELECTION, "--county", "KENT", "--reason",
                    "recount")
    assert list(revoked) == CERTIFICATION_KEYS
    assert (revoked["id"], revoked["revoke_reason"], revoked["in_force"]) == (kent["id"], "recount", False)
    listing = _json(capsys, seeded_url, "certifications", "--election", ELECTION)
    assert list(listing) == ["certifications"]
    assert [(list(row), row["id"], row["in_force"]) for row in listing["certifications"]] == [
        (CERTIFICATION_KEYS, certified["id"], True), (CERTIFICATION_KEYS, kent["id"], False)]

    engine = make_engine(seeded_url)
    with engine.begin() as connection:  # behind the application's back: one LOVING record removed
        victim = connection.execute(select(TurnoutRecord.id).where(TurnoutRecord.county == "LOVING")
                                    .order_by(TurnoutRecord.id).limit(1)).scalar_one()
        connection.execute(update(TurnoutRecord).where(TurnoutRecord.id == victim).values(removed_at=utcnow()))
    engine.dispose()
    checked = _json(capsys, seeded_url, "check", "--election", ELECTION, exit_code=1)
    [drift] = checked["checks"][0]["drifts"]
    assert list(drift) == ["certification_id", "county", "election", "certified_at", "certified_by", "changes"]
    assert (drift["certification_id"], drift["county"], drift["election"]) == (certified["id"], "LOVING", ELECTION)
    [change] = drift["changes"]
    assert list(change) == ["table", "key", "certified", "now"] and change["now"] == change["certified"] - 1
