"""Strategy A with an https-style URL source, end to end through the real engine (SQLite and PostgreSQL).

The statewide CSV is served by a real HTTP server on 127.0.0.1 (tests/statewide_http_server.py); the
download cache is the test's own data folder (conftest sets TURNOUT_DATA_DIR).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reconciliation_rows import ELECTION, EV, add_records, add_reference, add_roster, vuid
from sqlalchemy import Engine, func, select
from statewide_http_server import Route, StatewideServer

from turnout_desktop.db.models import ReconciliationAttempt, SourceFile, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import AttemptOutcome
from turnout_desktop.engine.results import DryRunResult, ReconcileResult
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext

PATH = "/sos/statewide_dem_0224.csv"
CSV = ("VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE\n"
       + "".join(f"{vuid(n)},TRAVIS,DEM,EARLY VOTING,101,2026-02-20\n" for n in (1, 2, 3))).encode()


@pytest.fixture
def server() -> Iterator[StatewideServer]:
    with StatewideServer() as running:
        yield running


def _travis_missing_two(engine: Engine) -> None:
    """Official 3 early votes, the county's roster names 3 VUIDs, the statewide table holds only 1."""
    add_reference(engine, "TRAVIS", "DEM", {EV: 3})
    add_records(engine, [(vuid(1), "TRAVIS", "DEM", EV)])
    add_roster(engine, "TRAVIS", [(vuid(n), "DEM", EV) for n in (1, 2, 3)])


def _attempts(engine: Engine, log_id: int) -> list[tuple[str, str, str]]:
    with transaction(engine) as session:
        rows = session.execute(select(ReconciliationAttempt.strategy, ReconciliationAttempt.outcome,
                                      ReconciliationAttempt.message)
                               .where(ReconciliationAttempt.log_id == log_id)
                               .order_by(ReconciliationAttempt.attempt_no))
        return [tuple(row) for row in rows]


def _statewide_records(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.execute(select(func.count()).select_from(TurnoutRecord)
                               .where(TurnoutRecord.source == "statewide",
                                      TurnoutRecord.removed_at.is_(None))).scalar_one()


def _reconcile(engine: Engine, url: str) -> ReconcileResult:
    admin = AppContext(engine, user="ada", role="admin")
    (entry,) = reconciliation.reconcile(admin, Scope(ELECTION, county="TRAVIS"), statewide_source=url)
    return entry


def _preview(engine: Engine, url: str) -> DryRunResult:
    admin = AppContext(engine, user="ada", role="admin")
    (entry,) = reconciliation.preview_reconcile(admin, Scope(ELECTION, county="TRAVIS"), statewide_source=url)
    return entry


def test_a_url_source_resolves_the_county_and_a_second_fetch_is_not_modified(db_engine: Engine,
                                                                             server: StatewideServer) -> None:
    _travis_missing_two(db_engine)
    server.routes[PATH] = Route(body=CSV, etag='"roster-1"')
    entry = _reconcile(db_engine, server.url(PATH))
    assert (entry.status, entry.strategy_succeeded) == ("RESOLVED", "refetch_statewide")
    ((strategy, outcome, message),) = _attempts(db_engine, entry.id)
    assert (strategy, outcome) == ("refetch_statewide", "resolved") and "2 new record(s)" in message
    assert _statewide_records(db_engine) == 3
    with transaction(db_engine) as session:
        assert session.execute(select(SourceFile.name).where(SourceFile.kind == "statewide")).scalars().all() == [
            "statewide_dem_0224.csv"]  # the URL's file name reaches the importer (party and as-of clues)

    # The county drifts again (a record removed); the next run asks the server conditionally: 304.
    with transaction(db_engine) as session:
        record = session.execute(select(TurnoutRecord).where(TurnoutRecord.vuid == vuid(3))).scalar_one()
        session.delete(record)
    again = _reconcile(db_engine, server.url(PATH))
    assert server.seen(PATH)[-1].headers.get("If-None-Match") == '"roster-1"'
    (first, *_rest) = _attempts(db_engine, again.id)
    assert first[0] == "refetch_statewide" and "reports no change since the last download" in first[2]
    assert "already imported" in first[2]  # the cached file's sha256 is known: nothing new is imported


def test_a_dry_run_fetches_but_writes_nothing_and_the_real_run_imports_the_cached_copy(
        db_engine: Engine, server: StatewideServer) -> None:
    _travis_missing_two(db_engine)
    server.routes[PATH] = Route(body=CSV, etag='"roster-1"')
    preview = _preview(db_engine, server.url(PATH))
    assert preview.preview[0].strategy == "refetch_statewide" and preview.preview[0].inserted == 2
    assert _statewide_records(db_engine) == 1
    entry = _reconcile(db_engine, server.url(PATH))  # the server answers 304: the cached copy is imported
    assert server.seen(PATH)[-1].headers.get("If-None-Match") == '"roster-1"'
    assert (entry.status, entry.strategy_succeeded) == ("RESOLVED", "refetch_statewide")
    assert _statewide_records(db_engine) == 3


@pytest.mark.parametrize(("route", "cause"), [
    (Route(status=500, body=b"down"), "HTTP 500 Internal Server Error from http://127.0.0.1"),
    (Route(body=b"<html><body>maintenance</body></html>", content_type="text/html"), "sent HTML"),
], ids=["500", "html"])
def test_an_unreadable_url_is_an_attempt_with_outcome_source_unavailable(db_engine: Engine, server: StatewideServer,
                                                                          route: Route, cause: str) -> None:
    _travis_missing_two(db_engine)
    server.routes[PATH] = route
    entry = _reconcile(db_engine, server.url(PATH))
    attempts = _attempts(db_engine, entry.id)
    strategy, outcome, message = attempts[0]
    assert (strategy, outcome) == ("refetch_statewide", "source_unavailable")
    assert cause in message and outcome != AttemptOutcome.NO_CHANGE
    assert [a[0] for a in attempts].count("refetch_statewide") == 1  # not helpful: A is not retried in the run
    assert _statewide_records(db_engine) == 1  # nothing was imported
    # The loop went on: fill_gaps fills the two VUIDs from the county's roster.
    assert (entry.status, entry.strategy_succeeded) == ("RESOLVED", "fill_gaps")
