"""services/dashboard.py and the read side of services/reconciliation.py: frozen records, overrides marked on
copies of the log entries (the service's own rows stay as they were), and what a clerk's dashboard holds."""

from __future__ import annotations

import dataclasses

import pytest
from reconciliation_rows import ELECTION, MAIL, add_reference
from sqlalchemy import Engine

from turnout_desktop.domain.scope import Scope
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.dashboard import load_dashboard, mark_overridden
from turnout_desktop.services.fixes import override

REASON = "County confirmed late mail ballots by phone"


def _two_escalations_one_overridden(engine: Engine) -> AppContext:
    """LOVING and KENT DEM escalate (official counts, no records); an admin overrides LOVING."""
    add_reference(engine, "LOVING", "DEM", {MAIL: 50}, total=100)
    add_reference(engine, "KENT", "DEM", {MAIL: 5})
    ctx = AppContext(engine, user="ada", role="admin")
    reconciliation.reconcile(ctx, Scope(ELECTION), strategies=[])
    override(ctx, Scope(ELECTION, "LOVING", "DEM"), reason=REASON)
    return ctx


def test_read_results_are_frozen_records(db_engine: Engine) -> None:
    ctx = _two_escalations_one_overridden(db_engine)
    entries = reconciliation.log_entries(ctx, election=ELECTION)
    status, overview = reconciliation.status(ctx, ELECTION), reconciliation.county_overview(ctx, ELECTION)
    assert all(isinstance(rows, tuple) and rows for rows in (entries, status, overview))
    detail = reconciliation.log_detail(ctx, entries[0].id)
    results = (entries[0], status[0], overview[0], detail, detail.gate,
               reconciliation.gate(ctx, Scope(ELECTION, "LOVING", "DEM")),
               reconciliation.describe_statewide_source(ctx))
    for result in results:
        first = dataclasses.fields(result)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(result, first, None)
    assert detail.gate == reconciliation.gate(ctx, Scope(ELECTION, detail.county, detail.party))


def test_the_gate_needs_one_county_and_one_party(db_engine: Engine) -> None:
    ctx = AppContext(db_engine, user="ada", role="admin")
    for scope in (Scope(ELECTION), Scope(ELECTION, "LOVING"), Scope(ELECTION, party="DEM")):
        with pytest.raises(InvalidRequest, match="needs a county and a party"):
            reconciliation.gate(ctx, scope)


def test_the_override_is_marked_on_copies_and_the_service_rows_stay_as_computed(db_engine: Engine) -> None:
    ctx = _two_escalations_one_overridden(db_engine)
    entries = reconciliation.log_entries(ctx, election=ELECTION)
    marked = {(entry.county, entry.party): entry for entry in mark_overridden(ctx, entries)}
    loving, kent = marked[("LOVING", "DEM")], marked[("KENT", "DEM")]
    assert loving.override is not None
    assert (loving.override.reason, loving.override.created_by, loving.override.status) == (REASON, "ada", "RESOLVED")
    assert loving.status == "ESCALATED"  # the engine's verdict is kept; the override is shown beside it
    assert kent.override is None and kent in entries  # nothing to mark: the same record
    assert all(entry.override is None for entry in entries)  # the service's rows were not changed
    (original,) = [entry for entry in entries if entry.county == "LOVING"]
    assert loving is not original and dataclasses.replace(loving, override=None) == original


def test_the_dashboard_of_an_admin_and_of_a_clerk(db_engine: Engine) -> None:
    _two_escalations_one_overridden(db_engine)
    admin = load_dashboard(AppContext(db_engine, user="ada", role="admin"), verify_audit=True)
    assert (admin.elections, admin.election, admin.certified) == ((ELECTION,), ELECTION, ())
    assert {(row.county, row.status) for row in admin.overview} == {("LOVING", "OVERRIDDEN"), ("KENT", "ESCALATED")}
    assert {entry.county: entry.override is not None for entry in admin.log} == {"LOVING": True, "KENT": False}
    assert admin.audit is not None and admin.audit.intact and admin.shared is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        admin.log = ()  # type: ignore[misc]
    clerk = load_dashboard(AppContext(db_engine, user="carl", role="clerk", county="KENT"), verify_audit=True)
    assert {row.county for row in clerk.overview} == {"KENT"} and {entry.county for entry in clerk.log} == {"KENT"}
    assert clerk.audit is None  # a clerk reads only its counties' events: it cannot verify the whole chain
