"""Certification on the shared server: only an admin certifies; a clerk's later upload is refused (exit 4)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from turnout_desktop.cli.main import main
from turnout_desktop.db.models import CountyRosterRow, SourceFile, Submission, utcnow
from turnout_desktop.db.session import make_engine
from turnout_desktop.domain.scope import Scope
from turnout_desktop.services import certification
from turnout_desktop.services.context import open_context

pytestmark = pytest.mark.pg
ELECTION = "2026-03-03"


def _stored(owner_url: str) -> tuple[int, int, int]:
    """(submissions, source files, roster rows), counted by the owner (no row-level security narrowing)."""
    engine = make_engine(owner_url)
    try:
        with engine.connect() as connection:
            return tuple(connection.execute(select(func.count()).select_from(model)).scalar_one()
                         for model in (Submission, SourceFile, CountyRosterRow))  # type: ignore[return-value]
    finally:
        engine.dispose()


def _shorter_roster(roster: Path, tmp_path: Path) -> Path:
    """The roster without its last voter: a different file with different counts."""
    lines = roster.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "loving_v2.csv"
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    return path


def test_a_clerks_upload_to_a_certified_county_is_refused(server, tmp_path,  # noqa: ANN001
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    for login in (server.clerk_own, server.auditor, server.service):
        assert main(["--db", login, "certify", "--election", ELECTION, "--county", "LOVING", "--reason", "x"]) == 4
        assert capsys.readouterr().err.startswith("not permitted:")
    assert main(["--db", server.admin, "certify", "--election", ELECTION, "--county", "LOVING", "--reason",
                 "canvass complete", "--json"]) == 0
    certified = json.loads(capsys.readouterr().out)
    assert (certified["county"], certified["certified_by"]) == ("LOVING", "t_admin")
    assert main(["--db", server.clerk_own, "uncertify", "--election", ELECTION, "--county", "LOVING",
                 "--reason", "mine"]) == 4
    capsys.readouterr()

    newer = _shorter_roster(server.files["LOVING"], tmp_path)
    before = _stored(server.owner_url)
    assert main(["--db", server.clerk_own, "submit", str(newer), "--county", "LOVING", "--election", ELECTION]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"LOVING 2026-03-03 is certified on {utcnow():%Y-%m-%d} by t_admin" in err
    assert _stored(server.owner_url) == before  # nothing of the refused upload was written
    owner = make_engine(server.owner_url)
    with owner.connect() as connection:
        refusal = connection.execute(text("SELECT user_name, disposition, message FROM audit_event "
                                          "WHERE event_type = 'submit' ORDER BY seq DESC LIMIT 1")).one()
    owner.dispose()
    assert refusal.user_name == "t_clerk_loving" and refusal.disposition == "failure"
    assert "certified on" in refusal.message

    assert main(["--db", server.admin, "uncertify", "--election", ELECTION, "--county", "LOVING", "--reason",
                 "recount ordered"]) == 0
    capsys.readouterr()
    assert main(["--db", server.clerk_own, "submit", str(newer), "--county", "LOVING", "--election", ELECTION,
                 "--no-reconcile"]) == 0
    assert _stored(server.owner_url)[0] == before[0] + 1


def test_the_service_login_runs_the_drift_check(server) -> None:  # noqa: ANN001
    admin = open_context(server.admin)
    service = open_context(server.service)
    try:
        certification.certify(admin, Scope(dt.date(2026, 3, 3), "KING"), reason="canvass")
        owner = make_engine(server.owner_url)
        with owner.begin() as connection:  # behind the application's back
            connection.execute(text("UPDATE turnout_record SET removed_at = now() WHERE id = "
                                    "(SELECT min(id) FROM turnout_record WHERE county = 'KING')"))
        owner.dispose()
        drifts = certification.drift_check(service, dt.date(2026, 3, 3))
        assert [d.county for d in drifts] == ["KING"]
        assert certification.drift_check(service, dt.date(2026, 3, 3)) == ()  # once a day
        with admin.engine.connect() as connection:
            alarm = connection.execute(text("SELECT user_name, disposition FROM audit_event "
                                            "WHERE event_type = 'certified_drift'")).one()
        assert (alarm.user_name, alarm.disposition) == ("t_service", "failure")
    finally:
        admin.engine.dispose()
        service.engine.dispose()
