"""services/reconciliation.py: the public gate (docs/reliability.md T12 boundary table + Hypothesis, thresholds
from the settings), status, overview, log, export, progress reporting."""

from __future__ import annotations

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reconciliation_rows import ED, ELECTION, EV, MAIL, add_records, add_reference, add_roster, vuid
from sqlalchemy import Engine, select, text

from turnout_desktop.db.models import AuditEvent
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.db.settings_store import GATE_VERIFIED, GATE_WITHIN, SUCCESS_THRESHOLD, set_setting
from turnout_desktop.domain.scope import Scope
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.demo import DEMO_ELECTION, write_demo_files
from turnout_desktop.services.reconciliation_results import GateResult
from turnout_desktop.services.submission import import_statewide, submit_files


def _ctx(engine, role: str = "admin", county: str | None = None) -> AppContext:
    return AppContext(engine=engine, user="tester", role=role, county=county)


def _confirmed_case(engine, county: str, total: int, unconfirmed: int, first: int = 0) -> None:
    """Official early votes ``total``; statewide holds ``total - unconfirmed`` of them and the county's
    own records (strategy B's kind) the rest, so every run RESOLVES and the statewide-confirmed accuracy is
    1 - unconfirmed/total."""
    add_reference(engine, county, "DEM", {EV: total})
    add_records(engine, [(vuid(first + i), county, "DEM", EV) for i in range(total - unconfirmed)])
    add_records(engine, [(vuid(first + total + i), county, "DEM", EV) for i in range(unconfirmed)],
                source="county")


@pytest.mark.parametrize(("total", "unconfirmed", "accuracy", "allowed", "message"), [
    (10_000, 101, 98.99, False, "Not independently verified (98.99% confirmed by statewide data)"),
    (10_000, 100, 99.0, True, "Data verified (within 1%), gap 1.00%"),
    (100_000, 101, 99.899, True, "Data verified (within 1%), gap 0.10%"),
    (100_000, 100, 99.9, True, "Data verified"),
    (2_000, 0, 100.0, True, "Data verified"),
    (0, 0, 100.0, True, "Data verified"),
])
def test_gate_boundary_table(db_engine, tmp_path, total, unconfirmed, accuracy, allowed, message):
    _confirmed_case(db_engine, "LOVING", total, unconfirmed)
    (run,) = reconciliation.reconcile(_ctx(db_engine), Scope(ELECTION), strategies=[])
    assert run.status == "RESOLVED"  # the engine counts B's records; the gate does not
    decision = reconciliation.gate(_ctx(db_engine), Scope(ELECTION, "Loving", "DEM"))
    assert (decision.allowed, decision.accuracy_pct, decision.message) == (allowed, accuracy, message)
    written = reconciliation.export_public(_ctx(db_engine), ELECTION, tmp_path / "public.csv")
    assert written == (2 if allowed else 0)  # the early-voting and TOTAL rows
    rows = list(csv.reader((tmp_path / "public.csv").open(encoding="utf-8-sig")))
    assert rows[0] == reconciliation.PUBLIC_HEADER
    assert len(rows) - 1 == written
    with transaction(db_engine) as session:  # docs/reliability.md T16: the public file's sha256 is in the audit trail
        details = session.execute(select(AuditEvent.details).where(AuditEvent.event_type == "export_public")
                                  ).scalar_one()
    assert details == {"file": "public.csv", "rows": written,
                       "sha256": hashlib.sha256((tmp_path / "public.csv").read_bytes()).hexdigest()}


def test_gate_without_official_counts_and_with_override(db_engine):
    assert reconciliation.gate(_ctx(db_engine), Scope(ELECTION, "Loving", "DEM")) == GateResult(
        allowed=False, accuracy_pct=None, message="Blocked: no official county count to verify against",
        level="no_data")
    add_reference(db_engine, "LOVING", "DEM", {MAIL: 50}, total=100)
    reconciliation.reconcile(_ctx(db_engine), Scope(ELECTION), strategies=[])
    assert reconciliation.gate(_ctx(db_engine), Scope(ELECTION, "Loving", "DEM")).level == "escalated"
    from turnout_desktop.services.fixes import override

    override(_ctx(db_engine), Scope(ELECTION, "Loving", "DEM"), reason="County confirmed by phone")
    decision = reconciliation.gate(_ctx(db_engine), Scope(ELECTION, "Loving", "DEM"))
    assert decision.allowed is True and decision.message == "Published by override (County confirmed by phone)"
    overview = reconciliation.county_overview(_ctx(db_engine), ELECTION)
    assert [(o.county, o.status, o.public) for o in overview] == [("LOVING", "OVERRIDDEN", True)]
    override(_ctx(db_engine), Scope(ELECTION, "Loving", "DEM"), reason="Numbers disputed",
             status="ESCALATED")
    assert reconciliation.gate(_ctx(db_engine), Scope(ELECTION, "LOVING", "DEM")).message == (
        "Blocked by manual override (ESCALATED): Numbers disputed")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(st.tuples(st.integers(0, 3_000), st.integers(0, 60)), min_size=1, max_size=5))
def test_county_is_in_public_export_iff_confirmed_accuracy_reaches_threshold(sqlite_url, tmp_path, cases):
    engine = make_engine(sqlite_url)
    try:
        with transaction(engine) as session:
            for table in ("turnout_record", "reconciliation_log", "county_turnout_reference"):
                session.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - constant table names
        expected_public = set()
        for index, (total, gap) in enumerate(cases):
            county = ["LOVING", "KENEDY", "KING", "BORDEN", "MCMULLEN"][index]
            gap = min(gap, total)
            _confirmed_case(engine, county, total, gap, first=index * 10_000)
            accuracy = Decimal(100) if total == 0 else Decimal(100) * (1 - Decimal(gap) / Decimal(total))
            if accuracy >= Decimal("99.0"):
                expected_public.add(county)
        reconciliation.reconcile(_ctx(engine), Scope(ELECTION), strategies=[])
        out = tmp_path / "public.csv"
        reconciliation.export_public(_ctx(engine), ELECTION, out)
        exported = {row[0] for row in list(csv.reader(out.open(encoding="utf-8-sig")))[1:]}
        assert exported == expected_public
    finally:
        engine.dispose()


def test_status_overview_log_and_sources(db_engine, tmp_path):
    add_reference(db_engine, "TRAVIS", "DEM", {EV: 2, ED: 1})
    add_roster(db_engine, "TRAVIS", [(vuid(1), "DEM", EV), (vuid(2), "DEM", EV), (vuid(3), "DEM", ED)])
    add_records(db_engine, [(vuid(1), "TRAVIS", "DEM", EV), (vuid(2), "TRAVIS", "DEM", EV)])
    ctx = _ctx(db_engine)
    results = reconciliation.reconcile(ctx, Scope(ELECTION), strategies=[])
    assert [(r.county, r.status, r.diagnosis) for r in results] == [
        ("TRAVIS", "ESCALATED", ("missing_vuids",))]
    rows = {r.voting_method: r for r in reconciliation.status(ctx, ELECTION)}
    assert set(rows) == {EV, ED, "TOTAL"}
    assert (rows["TOTAL"].official_count, rows["TOTAL"].database_count) == (3, 2)
    assert rows[ED].database_count == 0 and rows[ED].status == "ESCALATED"
    assert rows["TOTAL"].accuracy_pct == 66.6667 and rows["TOTAL"].public is False
    (entry,) = reconciliation.log_entries(ctx, county="TRAVIS")
    assert entry.id == results[0].id and entry.attempts == ()
    detail = reconciliation.log_detail(ctx, entry.id)
    assert [(v.vuid, v.row_no, v.voting_method) for v in detail.failing_vuids] == [(vuid(3), 4, ED)]
    assert detail.gate.allowed is False and detail.fixes == ()
    assert reconciliation.elections(ctx) == [ELECTION]
    assert reconciliation.get_statewide_source(ctx) is None
    with pytest.raises(InvalidRequest, match="does not exist"):  # a typo is refused, not stored
        reconciliation.set_statewide_source(ctx, str(tmp_path / "no-such-folder"))
    reconciliation.set_statewide_source(ctx, str(tmp_path))
    assert reconciliation.get_statewide_source(ctx) == str(tmp_path.resolve())


def test_clerks_only_reconcile_their_own_county(db_engine):
    from turnout_desktop.errors import PermissionDenied

    add_reference(db_engine, "TRAVIS", "DEM", {EV: 0})
    add_reference(db_engine, "HAYS", "DEM", {EV: 0})
    clerk = _ctx(db_engine, role="clerk", county="TRAVIS")
    with pytest.raises(PermissionDenied):
        reconciliation.reconcile(clerk, Scope(ELECTION, county="HAYS"), strategies=[])
    with pytest.raises(PermissionDenied):
        reconciliation.set_statewide_source(clerk, "/x")
    assert [r.county for r in reconciliation.reconcile(clerk, Scope(ELECTION), strategies=[])] == ["TRAVIS"]


def test_export_is_written_atomically_to_the_named_file(db_engine, tmp_path: Path):
    add_reference(db_engine, "LOVING", "REP", {ED: 1})
    add_records(db_engine, [(vuid(1), "LOVING", "REP", ED)])
    out = tmp_path / "public.csv"
    assert reconciliation.export_public(_ctx(db_engine), ELECTION, out) == 0  # not reconciled yet
    reconciliation.reconcile(_ctx(db_engine), Scope(ELECTION), strategies=[])
    assert reconciliation.export_public(_ctx(db_engine), ELECTION, out) == 2
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[1:] == [["LOVING", "2026-03-03", "REP", ED, "1", "1", "100.0", "Data verified", "unofficial"],
                        ["LOVING", "2026-03-03", "REP", "TOTAL", "1", "1", "100.0", "Data verified", "unofficial"]]


def _terrell(ctx: AppContext, tmp_path: Path, *, reconcile: bool = True) -> None:
    paths = write_demo_files(tmp_path / "demo")
    import_statewide(ctx, [paths["statewide"]], election=DEMO_ELECTION)
    submit_files(ctx, [paths["TERRELL"]], election=DEMO_ELECTION, county="TERRELL", reconcile=reconcile)



def test_gate_thresholds_are_settings(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    _terrell(ctx, tmp_path)  # TERRELL REP: 24 records for 22 official -> accuracy 90.9091 %
    blocked = reconciliation.gate(ctx, Scope(DEMO_ELECTION, "TERRELL", "REP"))
    assert (blocked.allowed, blocked.accuracy_pct) == (False, 90.9091)
    assert blocked.level == "escalated"  # below the engine's 99.9 %: escalated, so held back
    with transaction(db_engine) as session:
        set_setting(session, GATE_VERIFIED, "95")
        set_setting(session, GATE_WITHIN, "90")
        set_setting(session, SUCCESS_THRESHOLD, "90")
    reconciliation.reconcile(ctx, Scope(DEMO_ELECTION, county="TERRELL"))
    allowed = reconciliation.gate(ctx, Scope(DEMO_ELECTION, "TERRELL", "REP"))
    assert allowed.allowed and allowed.message == "Data verified (within 10%), gap 9.09%"
    out = tmp_path / "public.csv"
    reconciliation.export_public(ctx, DEMO_ELECTION, out)
    text = out.read_text(encoding="utf-8-sig")
    assert '"TERRELL","2026-03-03","REP"' in text and '"TERRELL","2026-03-03","DEM"' not in text


def test_progress_callback_reports_each_county(db_engine: Engine, tmp_path: Path) -> None:
    ctx = AppContext(db_engine, user="admin")
    _terrell(ctx, tmp_path, reconcile=False)
    seen: list[tuple[float, str]] = []
    reconciliation.reconcile(ctx, Scope(DEMO_ELECTION), progress=lambda fraction, text: seen.append((fraction, text)))
    assert seen, "no progress reported"
    fractions = [fraction for fraction, _text in seen]
    assert all(0.0 <= f <= 1.0 for f in fractions) and fractions == sorted(fractions)
    assert any("TERRELL" in text for _fraction, text in seen)
