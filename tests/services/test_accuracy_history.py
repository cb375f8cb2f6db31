"""services/accuracy_history.py on SQLite and PostgreSQL: a county's logged runs as a time-ordered series,
accuracy by the one formula, clerks limited to their county (by the service, and on PostgreSQL by RLS)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from accuracy_history_rows import ELECTION, escalate_then_heal, summary_csv
from sqlalchemy import Engine, update

from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.domain.metrics import MethodCount, accuracy_pct, rounded
from turnout_desktop.domain.permissions import Role
from turnout_desktop.domain.scope import Scope
from turnout_desktop.errors import InvalidRequest, PermissionDenied
from turnout_desktop.services.accuracy_history import accuracy_history
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import submit_files


@pytest.fixture
def admin(db_engine: Engine) -> AppContext:
    return AppContext(db_engine, user="ada", role="admin")


def test_points_are_time_ordered_with_the_accuracy_of_each_run(admin: AppContext, tmp_path: Path) -> None:
    escalate_then_heal(admin, tmp_path)  # LOVING: 10 of 12 (escalated), then a check heals it to 12 of 12
    history = accuracy_history(admin, Scope(ELECTION, "Loving"))
    assert (history.county, history.party, history.runs_logged) == ("LOVING", None, 2)
    assert [(p.trigger_type, p.status, p.official_count, p.statewide_count, p.accuracy_pct)
            for p in history.points] == [
        ("COUNTY_UPLOAD", "ESCALATED", 12, 10, rounded(accuracy_pct(12, {"early-voting": MethodCount(12, 10)}))),
        ("AUTO_CHECK", "RESOLVED", 12, 12, 100.0),
    ]
    assert history.points[0].accuracy_pct == 83.3333
    times = [p.logged_at for p in history.points]
    assert times == sorted(times) and all(t.tzinfo == dt.UTC for t in times)
    assert history.points[0].log_id < history.points[1].log_id
    # The check's summary row (county "*", status CHECKED) is no point of any county.
    assert accuracy_history(admin, Scope(ELECTION, "*")).points == ()


def test_order_follows_the_logged_time_not_the_row_id(admin: AppContext, tmp_path: Path) -> None:
    escalate_then_heal(admin, tmp_path)
    first, second = accuracy_history(admin, Scope(ELECTION, "LOVING")).points
    with transaction(admin.engine) as session:  # the older run written later (an outbox upload sent late)
        session.execute(update(ReconciliationLog).where(ReconciliationLog.id == second.log_id)
                        .values(created_at=first.logged_at.replace(tzinfo=None) - dt.timedelta(hours=1)))
    assert [p.log_id for p in accuracy_history(admin, Scope(ELECTION, "LOVING")).points] == [
        second.log_id, first.log_id]


def test_one_party_a_limit_and_an_empty_county(admin: AppContext, tmp_path: Path) -> None:
    escalate_then_heal(admin, tmp_path)
    submit_files(admin, [summary_csv(tmp_path / "loving2.csv", 10)], election=ELECTION, county="LOVING")
    assert [p.party for p in accuracy_history(admin, Scope(ELECTION, "LOVING", "DEM")).points] == ["DEM"] * 3
    assert accuracy_history(admin, Scope(ELECTION, "LOVING", "REP")).points == ()
    newest = accuracy_history(admin, Scope(ELECTION, "LOVING"), limit=2)
    assert newest.runs_logged == 3 and [p.trigger_type for p in newest.points] == ["AUTO_CHECK", "COUNTY_UPLOAD"]
    assert (newest.points[-1].status, newest.points[-1].accuracy_pct) == ("ESCALATED", 80.0)  # 10 official, 12 kept
    assert accuracy_history(admin, Scope(ELECTION, "KING")).points == ()
    with pytest.raises(InvalidRequest, match="per county"):
        accuracy_history(admin, Scope(ELECTION))
    with pytest.raises(InvalidRequest, match="limit"):
        accuracy_history(admin, Scope(ELECTION, "LOVING"), limit=0)


def test_a_clerk_sees_only_the_own_county(admin: AppContext, tmp_path: Path) -> None:
    escalate_then_heal(admin, tmp_path)
    clerk = AppContext(admin.engine, user="carl", role="clerk", county="LOVING")
    assert len(accuracy_history(clerk, Scope(ELECTION)).points) == 2  # no county named: the clerk's own
    with pytest.raises(PermissionDenied):
        accuracy_history(AppContext(admin.engine, user="kim", role="clerk", county="KING"),
                         Scope(ELECTION, "LOVING"))


@pytest.mark.pg
def test_row_level_security_hides_other_counties_from_a_clerk_login(db_url: str, admin: AppContext,
                                                                    tmp_path: Path) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("row-level security is PostgreSQL's")
    from pg_logins import signed_in_url

    escalate_then_heal(admin, tmp_path)
    clerk_url = signed_in_url(db_url, "t_history_clerk", Role.CLERK, ["KING"])
    engine = make_engine(clerk_url)
    try:
        # Even a context that claims every county reads only the rows the database lets this login see.
        claimed = AppContext(engine, user="t_history_clerk", role="admin")
        assert accuracy_history(claimed, Scope(ELECTION, "LOVING")).points == ()
        assert accuracy_history(admin, Scope(ELECTION, "LOVING")).runs_logged == 2
    finally:
        engine.dispose()
