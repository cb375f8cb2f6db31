"""Alembic migrations: the models and the migrated schema agree, and 0002 keeps every roster row."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select

from turnout_desktop.db.migrate import _config, current_revision, head_revision
from turnout_desktop.db.models import Base, CountyRosterRow, SourceFile, Submission
from turnout_desktop.db.session import transaction

ELECTION = dt.date(2026, 3, 3)


def _run(engine: Engine, verb: str, revision: str) -> None:
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)


def _roster_rows(engine: Engine, count: int) -> None:
    """``count`` roster rows that all claim the same spreadsheet position."""
    with transaction(engine) as session:
        source = SourceFile(kind="county_roster", name="t.csv", sha256="0" * 64, size_bytes=1, election_date=ELECTION)
        submission = Submission(uuid="u-1", county="LOVING", election_date=ELECTION, kind="roster",
                                submitted_by="clerk")
        session.add_all([source, submission])
        session.flush()
        session.add_all(CountyRosterRow(submission_id=submission.id, source_file_id=source.id, sheet="", row_no=2,
                                        election_date=ELECTION, county="LOVING", party="DEM",
                                        voting_method="early-voting", vuid=f"100000000{i}") for i in range(count))


def test_models_match_the_migrated_schema(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_0002_drops_the_position_key_and_keeps_the_rows(db_engine: Engine) -> None:
    _run(db_engine, "downgrade", "0001")
    assert current_revision(db_engine) == "0001"
    uniques = {u["name"] for u in inspect(db_engine).get_unique_constraints("county_roster_row")}
    assert "uq_roster_row_position" in uniques
    _roster_rows(db_engine, 1)

    _run(db_engine, "upgrade", "head")
    assert current_revision(db_engine) == head_revision()
    uniques = {u["name"] for u in inspect(db_engine).get_unique_constraints("county_roster_row")}
    assert "uq_roster_row_position" not in uniques
    indexes = {ix["name"] for ix in inspect(db_engine).get_indexes("county_roster_row")}
    assert {"ix_roster_row_submission_vuid", "ix_roster_row_election_vuid"} <= indexes
    with transaction(db_engine) as session:
        assert session.execute(select(func.count()).select_from(CountyRosterRow)).scalar_one() == 1
