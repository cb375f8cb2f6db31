"""Strategy A on real files and the fix services (undo, override, review) on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from strategy_builders import ELECTION, active_set, context, count, fix_counts, record, table_snapshot

from turnout_desktop.db.models import (
    AuditEvent,
    CountyTurnoutReference,
    Fix,
    FixAction,
    ManualOverride,
    ReconciliationLog,
    SourceFile,
    TurnoutRecord,
)
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.engine.types import MISSING_VUIDS, TIMING
from turnout_desktop.errors import PermissionDenied
from turnout_desktop.services import fixes as fix_services
from turnout_desktop.services.context import AppContext
from turnout_desktop.strategies import get_strategy

HEADER = "VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE\n"


def _refetch(engine: Engine, source: Path, *, dry_run: bool = False):
    with transaction(engine) as session:
        return get_strategy("A").execute(context(session, "TRAVIS", [TIMING], dry_run=dry_run,
                                                 statewide_source=str(source)))


def test_refetch_imports_new_rows_idempotently_and_undo(db_engine: Engine, tmp_path: Path):
    folder = tmp_path / "statewide"
    folder.mkdir()
    (folder / "sos_dem.csv").write_text(
        HEADER + "1000000001,TRAVIS,DEM,EARLY VOTING,101,2026-02-20\n"
        "1000000002,TRAVIS,DEM,MAIL-IN,101,2026-02-21\n1000000003,BASTROP,DEM,EARLY VOTING,7,2026-02-21\n")
    with transaction(db_engine) as s:
        kept = record(s, "1000000001", "BASTROP")  # a fix moved it: the re-fetch must not move it back
    assert get_strategy("A").applies(context(None, "TRAVIS", [], statewide_source=None).diagnosis) is False

    before = table_snapshot(db_engine)
    preview = _refetch(db_engine, folder, dry_run=True)
    assert (preview.inserted, preview.fix_id) == (2, None)
    assert table_snapshot(db_engine) == before and count(db_engine, SourceFile) == 0

    result = _refetch(db_engine, folder)
    assert (result.inserted, result.removed) == (2, 0)
    assert [row[1:5] for row in active_set(db_engine)] == [
        ("1000000001", "BASTROP", "DEM", "early-voting"), ("1000000002", "TRAVIS", "DEM", "mail-in"),
        ("1000000003", "BASTROP", "DEM", "early-voting")]
    with transaction(db_engine) as s:
        assert s.get(TurnoutRecord, kept.id).county == "BASTROP"
    again = _refetch(db_engine, folder)  # same sha256: skipped
    assert (again.applied, again.inserted) == (False, 0) and "already imported" in again.message

    with transaction(db_engine) as s:
        from turnout_desktop.engine.fixes import undo_fix
        assert undo_fix(s, result.fix_id, "admin").by_action == {"insert": 3}
    assert [row[1] for row in active_set(db_engine)] == ["1000000001"]
    revived = _refetch(db_engine, folder)  # the undone file may be fetched again: tombstones revive
    assert (revived.inserted, revived.updated) == (0, 3)
    assert len(active_set(db_engine)) == 3


def _admin(engine: Engine) -> AppContext:
    return AppContext(engine, user="ada", role="admin")


def test_fix_services_undo_and_permissions(db_engine: Engine):
    from strategy_builders import roster

    with transaction(db_engine) as s:
        roster(s, "TRAVIS", [("7000000001", "early-voting", None)])
    with transaction(db_engine) as s:
        fix_id = get_strategy("B").execute(context(s, "TRAVIS", [MISSING_VUIDS])).fix_id
    clerk = AppContext(db_engine, user="cleo", role="clerk", county="TRAVIS")
    with pytest.raises(PermissionDenied):
        fix_services.undo_fix(clerk, fix_id, reason="test undo")
    with transaction(db_engine) as s:
        actions = s.execute(select(FixAction).where(FixAction.fix_id == fix_id)).scalars().all()
        assert [(a.action, (a.after or {}).get("vuid")) for a in actions] == [("insert", "7000000001")]
    assert fix_services.undo_fix(_admin(db_engine), fix_id, reason="test undo").reversed == 1
    with transaction(db_engine) as s:
        fixes = s.execute(select(Fix.id, Fix.strategy, Fix.undone_by).where(Fix.election_date == ELECTION)).all()
    assert [tuple(f) for f in fixes] == [(fix_id, "fill_gaps", "ada")]
    with transaction(db_engine) as s:
        events = s.execute(select(AuditEvent.event_type, AuditEvent.user_name)).all()
    assert [tuple(e) for e in events] == [("fix_undone", "ada")]
    assert fix_counts(db_engine) == (1, 1)


def test_override_and_review(db_engine: Engine):
    admin = _admin(db_engine)
    clerk = AppContext(db_engine, user="cleo", role="clerk", county="TRAVIS")
    with pytest.raises(PermissionDenied):
        fix_services.override(clerk, Scope(ELECTION, "TRAVIS", "DEM"), reason="x")
    with pytest.raises(fix_services.InvalidRequest, match="reason"):
        fix_services.override(admin, Scope(ELECTION, "TRAVIS", "DEM"), reason="   ")
    with pytest.raises(fix_services.InvalidRequest, match="nothing to override"):  # no figures yet
        fix_services.override(admin, Scope(ELECTION, "TRAVIS", "DEM"), reason="Phoned county")
    with transaction(db_engine) as s:
        s.add(CountyTurnoutReference(county="TRAVIS", election_date=ELECTION, party="DEM", voting_method="TOTAL",
                                     official_count=3))
    first = fix_services.override(admin, Scope(ELECTION, "travis", "dem"), reason="Phoned county")
    second = fix_services.override(admin, Scope(ELECTION, "TRAVIS", "DEM"), reason="Certified",
                                   status="escalated")
    assert (first.county, first.party, second.status, second.replaced_override_id) == (
        "TRAVIS", "DEM", "ESCALATED", first.id)
    with transaction(db_engine) as s:
        current = fix_services.active_override(s, election=ELECTION, county="TRAVIS", party="DEM")
        assert current is not None and current.id == second.id
    fix_services.revoke_override(admin, second.id, "Numbers now match")
    with transaction(db_engine) as s:
        assert fix_services.active_override(s, election=ELECTION, county="TRAVIS", party="DEM") is None
        assert s.execute(select(ManualOverride.revoked_at.is_not(None))).scalars().all() == [True, True]
        log = ReconciliationLog(county="TRAVIS", election_date=ELECTION, party="DEM", trigger_type="MANUAL",
                                status="ESCALATED")
        s.add(log)
        s.flush()
        log_id = log.id
    with pytest.raises(fix_services.InvalidRequest):
        fix_services.mark_reviewed(admin, log_id, "closed", "done")
    reviewed = fix_services.mark_reviewed(admin, log_id, "investigating", "Left a message")
    assert (reviewed.review_state, reviewed.previous_state) == ("investigating", None)
    with transaction(db_engine) as s:
        assert s.get(ReconciliationLog, log_id).review_reason == "Left a message"
        events = s.execute(select(AuditEvent.event_type).order_by(AuditEvent.seq)).scalars().all()
    assert events == ["manual_override", "manual_override", "override_revoked", "escalation_reviewed"]
