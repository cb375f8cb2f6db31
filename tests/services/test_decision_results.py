"""Admin decisions, certifications and shared settings return frozen records, and each audit event's details
are exactly the record it returned (``services/fixes.py``, ``services/certification.py``,
``services/shared_settings.py``). A service call takes a ``Scope``; one that makes no sense for it is refused.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from turnout_desktop.db.models import AuditEvent, Fix, FixAction, ReconciliationLog
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services import certification, fixes, shared_settings
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files
from turnout_desktop.services.submission import import_statewide, submit_files


@pytest.fixture
def admin(db_engine: Engine, tmp_path: Path) -> AppContext:
    """An admin on the demo election: KENT escalates, LOVING resolves, MCMULLEN is healed by a fix."""
    ctx = AppContext(db_engine, user="jdoe", role="admin")
    paths = write_demo_files(tmp_path / "demo")
    import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
    for county in ("KENT", "LOVING", "MCMULLEN"):
        submit_files(ctx, [paths[county]], election=DEMO_ELECTION, county=county)
    return ctx


def _details(ctx: AppContext, event_type: str) -> dict[str, Any]:
    with transaction(ctx.engine) as session:
        return session.execute(select(AuditEvent.details).where(AuditEvent.event_type == event_type)
                               .order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()


def _assert_frozen(record: object) -> None:
    assert dataclasses.is_dataclass(record)
    first = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, first, None)


def test_override_revoke_and_review_are_frozen_and_audited_as_returned(admin: AppContext) -> None:
    made = fixes.override(admin, Scope(DEMO_ELECTION, "kent", "rep"), reason="Phoned the county")
    assert (made.county, made.party, made.status, made.replaced_override_id) == ("KENT", "REP", "RESOLVED", None)
    assert _details(admin, "manual_override") == dataclasses.asdict(made)
    revoked = fixes.revoke_override(admin, made.id, "Numbers match")
    assert _details(admin, "override_revoked") == dataclasses.asdict(revoked)
    [listed] = fixes.list_overrides(admin, election=DEMO_ELECTION, county="KENT")
    assert (listed.id, listed.in_force, listed.ended_by_upload) == (made.id, False, False)
    with transaction(admin.engine) as session:
        log_id = session.execute(select(ReconciliationLog.id).where(
            ReconciliationLog.county == "KENT", ReconciliationLog.status == "ESCALATED").limit(1)).scalar_one()
    reviewed = fixes.mark_reviewed(admin, log_id, "investigating", "Called")
    assert _details(admin, "escalation_reviewed") == dataclasses.asdict(reviewed)
    for record in (made, revoked, listed, reviewed):
        _assert_frozen(record)


def test_an_override_names_one_county_and_one_party(admin: AppContext) -> None:
    for scope in (Scope(DEMO_ELECTION), Scope(DEMO_ELECTION, "KENT"), Scope(DEMO_ELECTION, party="REP")):
        with pytest.raises(InvalidRequest, match="one county and one party"):
            fixes.override(admin, scope, reason="Phoned the county")


def test_an_undo_is_frozen_and_audited_as_returned(admin: AppContext) -> None:
    with transaction(admin.engine) as session:
        fix_id = session.execute(select(Fix.id).where(Fix.county == "MCMULLEN").limit(1)).scalar_one()
    undone = fixes.undo_fix(admin, fix_id, reason="the voters were ours")
    assert isinstance(undone.affected_counties, tuple) and isinstance(undone.reconciled, tuple)
    with transaction(admin.engine) as session:
        fix = session.get(Fix, fix_id)
        assert fix is not None and fix.undone_at is not None
        actions = session.execute(select(func.count()).where(FixAction.fix_id == fix_id)).scalar_one()
    assert actions == undone.reversed == sum(undone.by_action.values()) > 0
    assert _details(admin, "fix_undone") == {"fix_id": fix_id, "strategy": undone.strategy, "county": undone.county,
                                             "reversed": undone.reversed, "by_action": undone.by_action,
                                             "reason": "the voters were ours"}
    for record in (undone, undone.reconciled[0]):
        _assert_frozen(record)


def test_certifications_and_drift_alarms_are_frozen(admin: AppContext) -> None:
    certified = certification.certify(admin, Scope(DEMO_ELECTION, "loving"), reason="canvass")
    assert (certified.county, certified.in_force) == ("LOVING", True)
    with pytest.raises(InvalidRequest, match="not one party"):
        certification.certify(admin, Scope(DEMO_ELECTION, "KENT", "REP"), reason="canvass")
    with pytest.raises(InvalidRequest, match="not one party"):
        certification.uncertify(admin, Scope(DEMO_ELECTION, "LOVING", "DEM"), reason="recount")
    assert certification.drift_check(admin, DEMO_ELECTION) == ()
    revoked = certification.uncertify(admin, Scope(DEMO_ELECTION, "LOVING"), reason="recount")
    assert certification.list_certifications(admin, DEMO_ELECTION) == (revoked,)
    for record in (certified, revoked):
        _assert_frozen(record)


def test_a_shared_settings_change_is_frozen_and_audited_as_returned(admin: AppContext) -> None:
    changes = shared_settings.update(admin, gate_within="98.5", auto_check_minutes=30)
    assert [(c.key, c.new) for c in changes] == [("gate_within_threshold", "98.5"), ("auto_check_minutes", "30")]
    assert _details(admin, "settings_change") == {"changes": [dataclasses.asdict(c) for c in changes]}
    assert shared_settings.update(admin, auto_check_minutes=30) == ()  # nothing changed
    _assert_frozen(changes[0])
