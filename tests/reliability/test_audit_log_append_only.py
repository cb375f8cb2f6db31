"""docs/reliability.md T14: the audit log is append-only, tamper-evident, and every audited action writes to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from reliability_helpers import ELECTION, voter_rows, write_roster, write_statewide
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from turnout_desktop.db.audit import GENESIS_HASH, head_hash, record_event, verify_against_head, verify_chain
from turnout_desktop.db.models import AuditEvent, Fix
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.services import fixes, reconciliation, reporting
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide, submit_files

EVENTS = 1_000


def _fill(engine: Engine, count: int) -> None:
    with transaction(engine) as session:
        for index in range(count):
            record_event(session, "submit", f"event {index}", user="clerk", role="clerk", county="LOVING",
                         election_date=ELECTION, details={"n": index})


def _offline(sqlite_url: str, *statements: str) -> None:
    """What an attacker with the file does: plain sqlite3, triggers dropped first."""
    connection = sqlite3.connect(make_url(sqlite_url).database or "")
    try:
        connection.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        connection.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
        connection.execute("DROP TRIGGER IF EXISTS audit_anchor_no_delete")
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize("edited_seq", [1, 537, EVENTS])
def test_offline_edit_of_one_row_is_named(sqlite_url: str, edited_seq: int) -> None:
    engine = make_engine(sqlite_url)
    _fill(engine, EVENTS)
    with transaction(engine) as session:
        assert verify_chain(session) is None
    _offline(sqlite_url, f"UPDATE audit_event SET message = 'event edited' WHERE seq = {edited_seq}")  # noqa: S608
    with transaction(engine) as session:
        assert verify_chain(session) == edited_seq
    engine.dispose()


def test_deleting_the_newest_row_is_caught_by_the_printed_head(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    _fill(engine, EVENTS)
    with transaction(engine) as session:
        printed = head_hash(session)  # what the last report printed
        assert verify_against_head(session, printed) is None
    _offline(sqlite_url, f"DELETE FROM audit_event WHERE seq = {EVENTS}")  # noqa: S608
    with transaction(engine) as session:
        assert verify_chain(session) == EVENTS  # the anchor of the deleted row names it...
        problem = verify_against_head(session, printed)  # ...and the printed head does not match either
        assert problem is not None and str(EVENTS) in problem
    _offline(sqlite_url, "DELETE FROM audit_anchor")  # the anchors too: rows without anchors are named,
    with transaction(engine) as session:  # and the printed head still does not match
        assert verify_chain(session) == 1
        assert verify_against_head(session, printed) == "audit chain broken at seq 1"
    engine.dispose()


def test_events_after_the_printed_head_are_fine(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        assert verify_against_head(session, GENESIS_HASH) is None
    _fill(engine, 3)
    with transaction(engine) as session:
        printed = head_hash(session)
    _fill(engine, 2)
    with transaction(engine) as session:
        assert verify_against_head(session, printed) is None
        assert verify_against_head(session, "f" * 64) is not None
    engine.dispose()


def test_update_and_delete_through_the_app_are_refused(db_engine: Engine) -> None:
    _fill(db_engine, 5)
    with transaction(db_engine) as session:
        before = session.execute(select(AuditEvent.seq, AuditEvent.message, AuditEvent.hash)
                                 .order_by(AuditEvent.seq)).all()
    for statement in (update(AuditEvent).where(AuditEvent.seq == 3).values(message="rewritten"),
                      delete(AuditEvent).where(AuditEvent.seq == 5), delete(AuditEvent)):
        with pytest.raises(DBAPIError, match="append-only"):
            with transaction(db_engine) as session:
                session.execute(statement)
    with transaction(db_engine) as session:
        after = session.execute(select(AuditEvent.seq, AuditEvent.message, AuditEvent.hash)
                                .order_by(AuditEvent.seq)).all()
        assert after == before and len(after) == 5
        assert verify_chain(session) is None


def test_every_audited_action_writes_an_event(db_engine: Engine, tmp_path: Path) -> None:
    """submit, import_statewide, reconcile (run, attempt, fix), undo, override and export, via the services."""
    admin = AppContext(db_engine, user="admin1", role="admin")
    voters = voter_rows(105, seed=14)
    statewide = write_statewide(tmp_path / "statewide.csv", voters[:100], "LOVING")  # 5 county voters missing
    roster = write_roster(tmp_path / "loving.csv", voters)

    def new_events(since: int) -> list[str]:
        with transaction(db_engine) as session:
            return session.execute(select(AuditEvent.event_type).where(AuditEvent.seq > since)
                                   .order_by(AuditEvent.seq)).scalars().all()

    def last_seq() -> int:
        with transaction(db_engine) as session:
            return session.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).scalar() or 0

    import_statewide(admin, [statewide], election=ELECTION)
    assert new_events(0) == ["import_statewide"]
    mark = last_seq()
    result = submit_files(admin, [roster], election=ELECTION, county="LOVING", reconcile=True)
    assert result.stored and result.reconcile
    emitted = new_events(mark)
    assert emitted[0] == "submit"
    assert {"reconcile_attempt", "fix_applied", "reconcile"} <= set(emitted)
    with transaction(db_engine) as session:
        fix_id = session.execute(select(Fix.id).order_by(Fix.id)).scalars().first()
    assert fix_id is not None

    mark = last_seq()
    fixes.undo_fix(admin, fix_id, reason="test undo")
    undo_events = new_events(mark)  # the undo, then the re-reconciliation of what it touched
    assert undo_events[0] == "fix_undone" and undo_events[-1] == "reconcile"
    mark = last_seq()
    fixes.override(admin, Scope(ELECTION, "LOVING", result.reconcile[0].party),
                   reason="county canvass certified")
    assert new_events(mark) == ["manual_override"]
    mark = last_seq()
    reporting.export_report(admin, election=ELECTION, fmt="csv", out=tmp_path / "report.csv")
    assert new_events(mark) == ["export"]
    mark = last_seq()
    reconciliation.preview_reconcile(admin, Scope(ELECTION, county="LOVING"))
    assert new_events(mark) == []  # a preview changes nothing and logs nothing
    with transaction(db_engine) as session:
        assert verify_chain(session) is None
        assert session.execute(select(AuditEvent.disposition).where(AuditEvent.disposition == "failure")).all() == []
