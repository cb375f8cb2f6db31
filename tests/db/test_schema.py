"""Schema created by Alembic on both backends, with the original design's constraints."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from turnout_desktop.db.migrate import current_revision, head_revision, upgrade_to_head
from turnout_desktop.db.models import CountyTurnoutReference
from turnout_desktop.db.session import make_engine, transaction


def test_migrations_reach_head_and_are_idempotent(db_engine: Engine) -> None:
    assert current_revision(db_engine) == head_revision()
    upgrade_to_head(db_engine)
    tables = set(inspect(db_engine).get_table_names())
    assert {"reconciliation_log", "county_turnout_reference", "turnout_record", "source_file",
            "precinct_district", "fix_action", "reconciliation_attempt", "audit_event"} <= tables


def test_reference_unique_county_election_party_method(db_engine: Engine) -> None:
    row = dict(county="LOVING", election_date=dt.date(2026, 3, 3), party="DEM",
               voting_method="TOTAL", official_count=3)
    with transaction(db_engine) as session:
        session.add(CountyTurnoutReference(**row))
    with pytest.raises(IntegrityError), transaction(db_engine) as session:
        session.add(CountyTurnoutReference(**row))
    indexes = {ix["name"] for ix in inspect(db_engine).get_indexes("reconciliation_log")}
    assert {"idx_recon_county_election", "idx_recon_status", "idx_recon_created"} <= indexes


def test_audit_event_refuses_update_and_delete(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        session.execute(text(
            "INSERT INTO audit_event (occurred_at, event_type, disposition, message, prev_hash, hash) "
            "VALUES (:t, 'test', 'na', 'm', '0', '1')"), {"t": dt.datetime(2026, 1, 1)})
    for statement in ("UPDATE audit_event SET message = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), transaction(db_engine) as session:
            session.execute(text(statement))
    with db_engine.connect() as connection:
        assert connection.execute(text("SELECT message FROM audit_event")).scalar_one() == "m"


def test_an_input_version_only_grows(db_engine: Engine) -> None:
    """A lowered version could make a stale run look current again: the database refuses it, for any role."""
    from turnout_desktop.engine.inputs import bump, versions

    election = dt.date(2026, 3, 3)
    for _ in range(2):
        with transaction(db_engine) as session:
            bump(session, election, ["LOVING"], "upload")
    for statement in ("UPDATE reconcile_input SET version = version - 1", "UPDATE reconcile_input SET version = 0"):
        with pytest.raises(Exception, match="only grows"), transaction(db_engine) as session:
            session.execute(text(statement))
    with transaction(db_engine) as session:
        session.execute(text("UPDATE reconcile_input SET reason = 'same version, new reason'"))
        assert versions(session, election)["LOVING"].version == 2


def test_every_official_count_change_is_written_down(db_engine: Engine) -> None:
    """Inserts and changes of an official count land in official_count_change (a trigger), nothing else."""
    with transaction(db_engine) as session:
        session.add(CountyTurnoutReference(county="LOVING", election_date=dt.date(2026, 3, 3), party="DEM",
                                           voting_method="TOTAL", official_count=40))
    for statement in ("UPDATE county_turnout_reference SET official_count = 39",
                      "UPDATE county_turnout_reference SET verified = true"):  # not a count change: no row
        with transaction(db_engine) as session:
            session.execute(text(statement))
    with db_engine.connect() as connection:
        rows = connection.execute(text("SELECT old_count, new_count FROM official_count_change ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(None, 40), (40, 39)]
    with pytest.raises(Exception, match="append-only"), transaction(db_engine) as session:
        session.execute(text("DELETE FROM official_count_change"))


def test_sqlite_connection_pragmas(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_failed_transaction_leaves_nothing(db_engine: Engine) -> None:
    with pytest.raises(RuntimeError), transaction(db_engine) as session:
        session.add(CountyTurnoutReference(county="KING", election_date=dt.date(2026, 3, 3), party="REP",
                                           voting_method="TOTAL", official_count=1))
        session.flush()
        raise RuntimeError("boom")
    with db_engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM county_turnout_reference")).scalar_one() == 0
