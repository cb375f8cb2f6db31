"""``turnout override``, ``override revoke``, ``review`` and how ``log`` shows them, through the CLI entry point.

SQLite acts as the one-office ``local`` role (every action allowed); the refusal of a clerk is checked on the
PostgreSQL test server, where the role comes from the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from demo_election import seed_demo_election
from pg_logins import signed_in_url
from sqlalchemy import select, update

from turnout_desktop.cli.main import main
from turnout_desktop.db.models import AuditEvent, ReconciliationLog
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.domain.permissions import Role
from turnout_desktop.services.demo import DEMO_ELECTION

ELECTION = DEMO_ELECTION.isoformat()
OVERRIDE_KEYS = {"id", "county", "election_date", "party", "status", "reason", "created_by", "created_at",
                 "revoked_at"}


def _run(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", db_url, *args])
    except SystemExit as exited:  # argparse refuses a bad option value with exit 2
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _json(capsys: pytest.CaptureFixture[str], db_url: str, *args: str) -> Any:
    code, out, err = _run(capsys, db_url, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def _log_id(db_url: str, county: str, party: str) -> tuple[int, str]:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        row = session.execute(select(ReconciliationLog.id, ReconciliationLog.status).where(
            ReconciliationLog.county == county, ReconciliationLog.party == party)
            .order_by(ReconciliationLog.id.desc()).limit(1)).one()
    engine.dispose()
    return row.id, row.status


def _audit(db_url: str) -> list[tuple[str, dict[str, Any]]]:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        rows = session.execute(select(AuditEvent.event_type, AuditEvent.details).where(AuditEvent.event_type.in_(
            ("manual_override", "override_revoked", "escalation_reviewed"))).order_by(AuditEvent.seq)).all()
    engine.dispose()
    return [(row.event_type, row.details) for row in rows]


@pytest.fixture
def seeded_url(sqlite_url: str, tmp_path: Path) -> str:
    seed_demo_election(sqlite_url, tmp_path)
    return sqlite_url


def test_override_publishes_by_override_and_revoke_takes_it_back(seeded_url: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    gate = ["gate", "--election", ELECTION, "--county", "KENT", "--party", "REP"]
    assert _json(capsys, seeded_url, *gate)["allowed"] is False  # escalated
    first = _json(capsys, seeded_url, "override", "--election", ELECTION, "--county", "kent", "--party", "rep",
                  "--reason", "County confirmed late mail ballots")
    assert set(first) == OVERRIDE_KEYS | {"replaced_override_id", "submission_id"}
    assert (first["county"], first["party"], first["status"], first["revoked_at"], first["replaced_override_id"]) == (
        "KENT", "REP", "RESOLVED", None, None)
    decision = _json(capsys, seeded_url, *gate)
    assert decision["allowed"] is True
    assert decision["message"] == "Published by override (County confirmed late mail ballots)"

    code, out, _err = _run(capsys, seeded_url, "override", "--election", ELECTION, "--county", "KENT", "--party",
                           "REP", "--reason", "Certified by the county")
    assert code == 0
    assert out.startswith(f"override {first['id'] + 1} in force: KENT REP {ELECTION} published by override "
                          f"(Certified by the county); replaces override {first['id']}")

    revoked = _json(capsys, seeded_url, "override", "revoke", str(first["id"] + 1), "--reason", "Numbers match")
    assert set(revoked) == OVERRIDE_KEYS | {"reason_revoked", "submission_id"}
    assert revoked["revoked_at"] is not None and revoked["reason_revoked"] == "Numbers match"
    assert _json(capsys, seeded_url, *gate)["allowed"] is False  # the computed status shows again

    events = _audit(seeded_url)
    assert [event for event, _details in events] == ["manual_override", "manual_override", "override_revoked"]
    assert events[2][1]["reason_revoked"] == "Numbers match"


def test_refusals_exit_2_with_a_clear_message(seeded_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    override = ["override", "--election", ELECTION, "--county", "KENT", "--party", "REP"]
    assert _run(capsys, seeded_url, *override, "--reason", "   ")[::2] == (
        2, "turnout: error: An override needs a written reason.\n")
    assert _run(capsys, seeded_url, *override[:-2], "--reason", "x")[::2] == (
        2, "turnout: error: override needs --party (or: turnout override revoke ID --reason TEXT).\n")
    assert _run(capsys, seeded_url, *override[:-1], "XYZ", "--reason", "x")[::2] == (
        2, "turnout: error: Unknown party 'XYZ': use DEM, REP, LIB, GRN or ALL.\n")
    assert _run(capsys, seeded_url, "override", "revoke", "99", "--reason", "x")[::2] == (
        2, "turnout: error: Override 99 does not exist.\n")
    overridden = _json(capsys, seeded_url, *override, "--reason", "ok")
    assert _run(capsys, seeded_url, "override", "revoke", str(overridden["id"]), "--reason", " ")[::2] == (
        2, "turnout: error: Revoking an override needs a written reason.\n")

    escalated, status = _log_id(seeded_url, "TERRELL", "DEM")
    resolved, resolved_status = _log_id(seeded_url, "LOVING", "DEM")
    assert (status, resolved_status) == ("ESCALATED", "RESOLVED")
    assert _run(capsys, seeded_url, "review", str(escalated), "--state", "resolved", "--reason", "")[::2] == (
        2, "turnout: error: A review needs a written reason.\n")
    assert _run(capsys, seeded_url, "review", str(resolved), "--state", "resolved", "--reason", "x")[::2] == (
        2, f"turnout: error: Log entry {resolved} (LOVING DEM) is RESOLVED, not ESCALATED: only an escalation "
           "can be reviewed.\n")
    assert _run(capsys, seeded_url, "review", "9999", "--state", "resolved", "--reason", "x")[::2] == (
        2, "turnout: error: Log entry 9999 does not exist.\n")
    code, _out, err = _run(capsys, seeded_url, "review", str(escalated), "--state", "accepted", "--reason", "x")
    assert code == 2 and "invalid choice: 'accepted'" in err
    assert [event for event, _details in _audit(seeded_url)] == ["manual_override"]  # refusals write nothing


def test_review_states_json_audit_and_old_stored_values(seeded_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    terrell_dem, _ = _log_id(seeded_url, "TERRELL", "DEM")
    terrell_rep, _ = _log_id(seeded_url, "TERRELL", "REP")
    first = _json(capsys, seeded_url, "review", str(terrell_dem), "--state", "investigating", "--reason",
                  "Called the county clerk")
    assert first == {"log_id": terrell_dem, "county": "TERRELL", "party": "DEM", "election_date": ELECTION,
                     "status": "ESCALATED", "review_state": "investigating",
                     "review_reason": "Called the county clerk", "previous_state": None}
    code, out, _err = _run(capsys, seeded_url, "review", str(terrell_dem), "--state", "wont-fix", "--reason",
                           "Late count is known")
    assert (code, out) == (0, f"escalation {terrell_dem} (TERRELL DEM) marked Won't fix: Late count is known\n")

    engine = make_engine(seeded_url)  # a database written before the new states holds the old names
    with transaction(engine) as session:
        session.execute(update(ReconciliationLog).where(ReconciliationLog.id == terrell_rep)
                        .values(review_state="contacted_county", review_reason="Left a message"))
    engine.dispose()
    entries = {e["id"]: e for e in _json(capsys, seeded_url, "log", "--county", "TERRELL")["entries"]}
    assert (entries[terrell_dem]["review_state"], entries[terrell_dem]["review_reason"]) == (
        "wont-fix", "Late count is known")
    assert entries[terrell_rep]["review_state"] == "investigating"
    again = _json(capsys, seeded_url, "review", str(terrell_rep), "--state", "resolved", "--reason", "Fixed")
    assert again["previous_state"] == "investigating"

    events = _audit(seeded_url)
    assert [event for event, _details in events] == ["escalation_reviewed"] * 3
    assert events[0][1] == first


def test_log_shows_overrides_and_reviews_and_filters_by_trigger(seeded_url: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    kent_rep, _ = _log_id(seeded_url, "KENT", "REP")
    _json(capsys, seeded_url, "review", str(kent_rep), "--state", "investigating", "--reason", "Asked the county")
    revoked = _json(capsys, seeded_url, "override", "--election", ELECTION, "--county", "KENT", "--party", "REP",
                    "--reason", "First look")
    _json(capsys, seeded_url, "override", "revoke", str(revoked["id"]), "--reason", "Too early")
    in_force = _json(capsys, seeded_url, "override", "--election", ELECTION, "--county", "KENT", "--party", "DEM",
                     "--reason", "County certified")

    log = _json(capsys, seeded_url, "log", "--county", "KENT")
    assert set(log) == {"entries", "overrides"}
    assert [(o["id"], o["party"], o["in_force"], o["reason"]) for o in log["overrides"]] == [
        (in_force["id"], "DEM", True, "County certified"), (revoked["id"], "REP", False, "First look")]
    assert all(set(o) == OVERRIDE_KEYS | {"in_force", "ended_by_upload"} for o in log["overrides"])
    assert _json(capsys, seeded_url, "log", "--county", "LOVING")["overrides"] == []

    code, out, _err = _run(capsys, seeded_url, "log", "--county", "KENT")
    assert code == 0
    lines = out.splitlines()
    assert f"review    log {kent_rep}  KENT REP  Investigating: Asked the county" in lines
    assert any(line.startswith(f"override  {in_force['id']}  KENT DEM {ELECTION}  Resolved by local ")
               and line.endswith("(in force): County certified") for line in lines)
    assert any(line.startswith(f"override  {revoked['id']}  KENT REP") and "(revoked " in line
               and line.endswith("): First look") for line in lines)

    assert main(["--db", seeded_url, "reconcile", "--election", ELECTION, "--county", "TERRELL"]) == 0
    capsys.readouterr()
    every = _json(capsys, seeded_url, "log")["entries"]
    manual = _json(capsys, seeded_url, "log", "--trigger", "manual")["entries"]
    uploads = _json(capsys, seeded_url, "log", "--trigger", "COUNTY_UPLOAD")["entries"]
    assert manual and uploads
    assert {e["trigger_type"] for e in manual} == {"MANUAL"}
    assert [e["id"] for e in manual] == [e["id"] for e in every if e["trigger_type"] == "MANUAL"]
    assert [e["id"] for e in uploads] == [e["id"] for e in every if e["trigger_type"] == "COUNTY_UPLOAD"]
    assert _json(capsys, seeded_url, "log", "--trigger", "AUTO_CHECK")["entries"] == [
        e for e in every if e["trigger_type"] == "AUTO_CHECK"]
    code, _out, err = _run(capsys, seeded_url, "log", "--trigger", "nightly")
    assert code == 2 and "unknown trigger 'nightly': use AUTO_CHECK, COUNTY_UPLOAD, MANUAL" in err


def test_help_explains_both_forms_of_override(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["override", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "turnout override --election D --county C --party P --reason TEXT [--json]" in out
    assert "turnout override revoke ID --reason TEXT [--json]" in out


@pytest.mark.pg
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_clerk_is_refused_by_the_services_on_postgresql(db_url: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    admin = signed_in_url(db_url, "t_admin", Role.ADMIN)
    seed_demo_election(admin, tmp_path)
    clerk = signed_in_url(db_url, "t_clerk_kent", Role.CLERK, ["KENT"])
    kent_rep, status = _log_id(db_url, "KENT", "REP")
    assert status == "ESCALATED"
    refusals = {
        "override a reconciliation status": ["override", "--election", ELECTION, "--county", "KENT", "--party",
                                             "REP", "--reason", "mine"],
        "mark an escalation reviewed": ["review", str(kent_rep), "--state", "resolved", "--reason", "mine"],
    }
    for action, args in refusals.items():
        assert _run(capsys, clerk, *args)[::2] == (4, f"not permitted: clerk may not {action}\n")
    made = _json(capsys, admin, "override", "--election", ELECTION, "--county", "KENT", "--party", "REP",
                 "--reason", "Admin decided")
    assert _run(capsys, clerk, "override", "revoke", str(made["id"]), "--reason", "mine")[::2] == (
        4, "not permitted: clerk may not revoke an override\n")
    clerk_log = _json(capsys, clerk, "log")  # the clerk still sees the decisions on its county
    assert [o["id"] for o in clerk_log["overrides"]] == [made["id"]]
    reviewed = _json(capsys, admin, "review", str(kent_rep), "--state", "investigating", "--reason", "On it")
    assert reviewed["previous_state"] is None
    assert [event for event, _details in _audit(db_url)] == ["manual_override", "escalation_reviewed"]
