"""Tampering by the owner is caught by ``audit verify`` with the right seq (docs/reliability.md T14).

The owner can switch the guards off; what it cannot do unseen is change a row without its anchor (an
owner-only table written by the insert trigger) disagreeing, or make the chain shorter than the anchors.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from turnout_desktop.cli.main import main
from turnout_desktop.db.audit import canonical_text, chain_hash
from turnout_desktop.db.models import AuditEvent
from turnout_desktop.db.session import transaction

pytestmark = pytest.mark.pg


def _as_owner(owner_url: str, *statements: str) -> None:
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # every guard trigger off
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def _rehash_from(owner_url: str, seq: int) -> None:
    """Edit row ``seq`` and re-hash it and every later row with the app's own hash: a consistent chain."""
    from turnout_desktop.db.session import make_engine

    engine = make_engine(owner_url)
    with transaction(engine) as session:
        session.execute(text("SET LOCAL session_replication_role = replica"))
        rows = session.query(AuditEvent).order_by(AuditEvent.seq).all()
        prev = rows[seq - 2].hash if seq > 1 else "0" * 64
        for row in rows[seq - 1:]:
            if row.seq == seq:
                row.message = "nothing happened here"
            row.prev_hash = prev
            row.hash = prev = chain_hash(canonical_text(row.occurred_at, row.event_type, row.disposition,
                                                        row.user_name, row.user_role, row.county, row.election_date,
                                                        row.message, row.details), prev)
    engine.dispose()


def _verify(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["--db", url, "audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("tampering", ["edit", "delete", "rehash", "truncate"])
def test_owner_tampering_is_named_by_seq(server, tampering: str, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    code, intact = _verify(server.auditor, capsys)
    assert code == 0 and intact["intact"] is True and intact["events"] > 10
    target = 5
    if tampering == "edit":
        _as_owner(server.owner_url, f"UPDATE audit_event SET message = 'edited' WHERE seq = {target}")
    elif tampering == "delete":
        _as_owner(server.owner_url, f"DELETE FROM audit_event WHERE seq = {target}")
    elif tampering == "rehash":
        _rehash_from(server.owner_url, target)
    else:
        _as_owner(server.owner_url, "TRUNCATE audit_event")
        target = 1
    code, found = _verify(server.auditor, capsys)
    assert code == 1 and found["intact"] is False and found["broken_seq"] == target, found
    expected_words = {"edit": "edited", "delete": "missing", "rehash": "re-hashed", "truncate": "missing"}
    assert expected_words[tampering] in str(found["reason"])


def test_the_scheduled_check_raises_the_alarm(server, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    _as_owner(server.owner_url, "UPDATE audit_event SET message = 'edited' WHERE seq = 3")
    assert main(["--db", server.service, "check", "--election", "2026-03-03", "--json"]) == 1
    captured = capsys.readouterr()
    assert "ALARM: AUDIT CHAIN BROKEN at seq 3" in captured.err
    assert json.loads(captured.out)["audit"]["broken_seq"] == 3
    engine = create_engine(server.owner_url)
    with engine.connect() as connection:
        alarm = connection.execute(text("SELECT disposition, user_name, details->>'broken_seq' FROM audit_event "
                                        "WHERE event_type = 'audit_verify' ORDER BY seq DESC LIMIT 1")).one()
    engine.dispose()
    assert tuple(alarm) == ("failure", "t_service", "3")


def test_an_audit_row_names_the_signed_in_login_whatever_the_client_says(server) -> None:  # noqa: ANN001
    from turnout_desktop.db.audit import record_event
    from turnout_desktop.db.session import make_engine
    from turnout_desktop.errors import TurnoutError

    engine = make_engine(server.clerk_own)
    try:
        with pytest.raises(Exception, match="must name the signed-in login") as raised:
            with transaction(engine) as session:
                record_event(session, "forged", "I am the admin", user="t_admin", role="admin")
        assert not isinstance(raised.value, TurnoutError)
    finally:
        engine.dispose()
