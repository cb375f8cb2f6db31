"""Publication and healing end to end on SQLite and PostgreSQL: what the gate lets out, checks that heal and leave a
trace, side effects logged where they land, undo that re-reconciles, crashes that resume.

Everything goes through the services with real CSV files (statewide rosters and county summaries or
rosters), as the CLI and the GUI call them.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from turnout_desktop.db.models import AuditEvent, Fix, ReconciliationLog, SourceFile, TurnoutRecord, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status
from turnout_desktop.services import reconciliation
from turnout_desktop.services.check import run_check
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.fixes import override, undo_fix
from turnout_desktop.services.reconciliation_results import GateResult
from turnout_desktop.services.submission import import_statewide, submit_files

ELECTION = dt.date(2026, 3, 3)
EV = "early-voting"


def statewide_csv(path: Path, rows: list[tuple[int, str, str, str]]) -> Path:
    """A statewide roster: (vuid number, county, party, method); early votes dated before the snapshot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        for number, county, party, method in rows:
            writer.writerow([f"{1_100_000_000 + number}", county, party, method, "0001", "2026-02-20"])
    return path


def summary_csv(path: Path, dem_early: int) -> Path:
    """A county summary (counts only: strategy B cannot fill gaps from it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Party,Early Voting,Election Day,Mail,Total\nDEM,{dem_early},0,0,{dem_early}\n", encoding="utf-8")
    return path


def roster_csv(path: Path, numbers: range) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        for number in numbers:
            writer.writerow([f"{1_100_000_000 + number}", "DEM", EV, "0001", "2026-02-20"])
    return path


def early(county: str, numbers: range) -> list[tuple[int, str, str, str]]:
    return [(n, county, "DEM", EV) for n in numbers]


def gate_of(ctx: AppContext, county: str) -> GateResult:
    return reconciliation.gate(ctx, Scope(ELECTION, county, "DEM"))


def status_of(ctx: AppContext, county: str) -> str:
    (row,) = [r for r in reconciliation.status(ctx, ELECTION)
              if r.county == county and r.voting_method == "TOTAL"]
    return str(row.status)


def public_counties(ctx: AppContext, tmp_path: Path) -> set[str]:
    out = tmp_path / "public.csv"
    reconciliation.export_public(ctx, ELECTION, out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    return {row["county"] for row in rows}


@pytest.fixture
def ctx(db_engine: Engine) -> AppContext:
    return AppContext(db_engine, user="ada", role="admin")


def test_gate_rows_in_progress_escalated_override(ctx: AppContext, tmp_path: Path) -> None:
    """Gate rows 1-3: never reconciled / reconciled before the latest change; escalated; override."""
    import_statewide(ctx, [statewide_csv(tmp_path / "sw.csv", early("LOVING", range(199)) +
                                         early("KENEDY", range(1000, 1010)))], election=ELECTION)
    submit_files(ctx, [summary_csv(tmp_path / "loving.csv", 200)], election=ELECTION, county="LOVING",
                 reconcile=False)
    decision = gate_of(ctx, "LOVING")
    assert (decision.allowed, decision.level, decision.message) == (
        False, "in_progress", "Reconciliation in progress")
    assert public_counties(ctx, tmp_path) == set()
    # 199 of 200 = 99.5 %: within 1 %, but the engine escalates below 99.9 % and the gate follows it.
    (run,) = reconciliation.reconcile(ctx, Scope(ELECTION, county="LOVING"))
    assert run.status == "ESCALATED" and run.final_accuracy_pct == 99.5
    decision = gate_of(ctx, "LOVING")
    assert (decision.allowed, decision.message) == (False, "Blocked: escalated to an administrator")
    override(ctx, Scope(ELECTION, "LOVING", "DEM"), reason="County certified the count by phone")
    decision = gate_of(ctx, "LOVING")
    assert (decision.allowed, decision.message) == (
        True, "Published by override (County certified the count by phone)")
    assert public_counties(ctx, tmp_path) == {"LOVING"}
    # A verified county goes back to "in progress" when its upload changes, until it is reconciled again.
    submit_files(ctx, [summary_csv(tmp_path / "kenedy.csv", 10)], election=ELECTION, county="KENEDY")
    assert gate_of(ctx, "KENEDY").message == "Data verified"
    submit_files(ctx, [summary_csv(tmp_path / "kenedy2.csv", 11)], election=ELECTION, county="KENEDY",
                 reconcile=False)
    assert gate_of(ctx, "KENEDY").level == "in_progress"
    assert public_counties(ctx, tmp_path) == {"LOVING"}


def test_county_records_do_not_verify_themselves_until_statewide_confirms(ctx: AppContext, tmp_path: Path) -> None:
    """Gate row 6, and a B record confirmed by a later statewide import."""
    results = submit_files(ctx, [roster_csv(tmp_path / "loving_roster.csv", range(20))], election=ELECTION,
                           county="LOVING").reconcile
    assert [(r.status, r.strategy_succeeded) for r in results] == [("RESOLVED", "fill_gaps")]
    decision = gate_of(ctx, "LOVING")
    assert (decision.allowed, decision.level, decision.accuracy_pct) == (False, "unconfirmed", 0.0)
    assert decision.message.startswith("Not independently verified")
    assert public_counties(ctx, tmp_path) == set()
    import_statewide(ctx, [statewide_csv(tmp_path / "sw.csv", early("LOVING", range(20)))], election=ELECTION)
    assert gate_of(ctx, "LOVING").level == "in_progress"  # statewide records changed
    run_check(ctx, ELECTION)
    decision = gate_of(ctx, "LOVING")
    assert (decision.allowed, decision.message, decision.accuracy_pct) == (True, "Data verified", 100.0)
    rows = {r.voting_method: r for r in reconciliation.status(ctx, ELECTION)}
    assert rows["TOTAL"].confirmed_count == 20 and rows["TOTAL"].official_count == 20


def test_check_heals_an_escalated_county_from_a_newer_file_and_leaves_a_trace(ctx: AppContext,
                                                                               tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    import_statewide(ctx, [statewide_csv(tmp_path / "statewide_asof_2026-03-01.csv", early("LOVING", range(10)))],
                     election=ELECTION)
    reconciliation.set_statewide_source(ctx, str(feed))
    (run,) = submit_files(ctx, [summary_csv(tmp_path / "loving.csv", 12)], election=ELECTION,
                          county="LOVING").reconcile
    assert run.status == "ESCALATED"
    first = run_check(ctx, ELECTION)  # nothing new: the county is left alone, the check still leaves a row
    (summary,) = first.elections
    assert (summary.reconciled, summary.healed, summary.escalated) == (0, 0, 0)
    assert status_of(ctx, "LOVING") == "ESCALATED"
    statewide_csv(feed / "statewide_asof_2026-03-04.csv", early("LOVING", range(12)))
    second = run_check(ctx, ELECTION)  # the hourly check alone: fetch, import, re-reconcile, heal
    (summary,) = second.elections
    assert summary.statewide is not None
    assert (summary.statewide.outcome, summary.statewide.inserted) == ("imported", 2)
    assert (summary.reconciled, summary.healed, summary.escalated) == (1, 1, 0)
    assert status_of(ctx, "LOVING") == "RESOLVED" and gate_of(ctx, "LOVING").message == "Data verified"
    checks = [e for e in reconciliation.log_entries(ctx, election=ELECTION) if e.status == "CHECKED"]
    assert len(checks) == 2 and all(e.trigger_type == "AUTO_CHECK" and e.county == "*" for e in checks)
    assert checks[0].diagnosis_details["check"]["healed"] == 1  # newest first
    assert "1 healed" in checks[0].notes
    with transaction(ctx.engine) as session:
        events = session.execute(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.event_type == "check")).scalar_one()
    assert events == 2


def test_daily_recheck_and_unfinished_runs(ctx: AppContext, tmp_path: Path) -> None:
    import_statewide(ctx, [statewide_csv(tmp_path / "sw.csv", early("LOVING", range(5)))], election=ELECTION)
    submit_files(ctx, [summary_csv(tmp_path / "loving.csv", 5)], election=ELECTION, county="LOVING")
    assert run_check(ctx, ELECTION).elections[0].reconciled == 0
    tomorrow = utcnow() + dt.timedelta(hours=25)
    (summary,) = run_check(ctx, ELECTION, now=tomorrow).elections
    assert summary.reconciled == 1 and summary.reasons == {"daily re-check": 1}
    # Two runs that died: the older is closed as INTERRUPTED, the newer is resumed and finished.
    with transaction(ctx.engine) as session:
        for _ in range(2):
            session.add(ReconciliationLog(county="LOVING", election_date=ELECTION, party="DEM",
                                          trigger_type="MANUAL", status=Status.IN_PROGRESS, attempts_count=0,
                                          strategies_tried=[], diagnosis=[], diagnosis_details={}))
    assert gate_of(ctx, "LOVING").level == "in_progress"
    (summary,) = run_check(ctx, ELECTION).elections
    assert summary.reasons == {"unfinished": 1}
    with transaction(ctx.engine) as session:
        statuses = [s for (s,) in session.execute(select(ReconciliationLog.status).where(
            ReconciliationLog.county == "LOVING").order_by(ReconciliationLog.id))]
    # the upload's run, the daily re-check, the two that died (older interrupted, newer resumed to RESOLVED)
    assert statuses == ["RESOLVED", "RESOLVED", "INTERRUPTED", "RESOLVED"]
    assert gate_of(ctx, "LOVING").message == "Data verified"


def test_side_effects_are_logged_where_they_land_and_undo_rereconciles_them(ctx: AppContext,
                                                                             tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    import_statewide(ctx, [statewide_csv(tmp_path / "sw_asof_2026-03-01.csv", early("LOVING", range(10)) +
                                         early("KENEDY", range(1000, 1030)))], election=ELECTION)
    submit_files(ctx, [summary_csv(tmp_path / "kenedy.csv", 30)], election=ELECTION, county="KENEDY")
    assert status_of(ctx, "KENEDY") == "RESOLVED"
    # The newer file brings LOVING's two missing votes and 24 more KENEDY votes.
    statewide_csv(feed / "sw_asof_2026-03-04.csv", early("LOVING", range(12)) + early("KENEDY", range(1000, 1054)))
    reconciliation.set_statewide_source(ctx, str(feed))
    results = submit_files(ctx, [summary_csv(tmp_path / "loving.csv", 12)], election=ELECTION,
                           county="LOVING").reconcile
    by_county = {r.county: r for r in results}
    assert by_county["LOVING"].status == "RESOLVED"
    assert by_county["LOVING"].strategy_succeeded == "refetch_statewide"
    # KENEDY was re-reconciled in the same run, and its own log says what changed.
    assert by_county["KENEDY"].status == "ESCALATED" and by_county["KENEDY"].actual_total == 54
    assert "statewide import of sw_asof_2026-03-04.csv added 24 record(s)" in by_county["KENEDY"].notes
    loving_log = reconciliation.log_detail(ctx, by_county["LOVING"].id)
    assert "(also changed: KENEDY 24)" in loving_log.attempts[0].message
    assert gate_of(ctx, "KENEDY").level == "escalated"
    with transaction(ctx.engine) as session:
        fix_id = session.execute(select(Fix.id).where(Fix.strategy == "refetch_statewide")).scalar_one()
    with pytest.raises(Exception, match="reason"):
        undo_fix(ctx, fix_id, reason="  ")
    undone = undo_fix(ctx, fix_id, reason="the newer file was a test upload")
    assert undone.affected_counties == ("KENEDY", "LOVING")
    statuses = {(row.county, row.status) for row in undone.reconciled}
    assert statuses == {("KENEDY", "RESOLVED"), ("LOVING", "ESCALATED")}
    # No stale status: both counties were reconciled before undo returned.
    assert status_of(ctx, "KENEDY") == "RESOLVED" and gate_of(ctx, "KENEDY").message == "Data verified"
    assert status_of(ctx, "LOVING") == "ESCALATED" and gate_of(ctx, "LOVING").level == "escalated"
    with transaction(ctx.engine) as session:
        message = session.execute(select(AuditEvent.message).where(AuditEvent.event_type == "fix_undone")
                                  ).scalar_one()
    assert message.endswith("the newer file was a test upload")


def test_a_crash_between_store_and_reconcile_is_resumed_by_a_rerun(ctx: AppContext, tmp_path: Path) -> None:
    import_statewide(ctx, [statewide_csv(tmp_path / "sw.csv", early("LOVING", range(8)))], election=ELECTION)
    upload = summary_csv(tmp_path / "loving.csv", 8)
    stored = submit_files(ctx, [upload], election=ELECTION, county="LOVING", reconcile=False)  # "crash" here
    assert stored.stored and not stored.reconcile
    assert gate_of(ctx, "LOVING").level == "in_progress" and status_of(ctx, "LOVING") == "PENDING"
    again = submit_files(ctx, [upload], election=ELECTION, county="LOVING")
    assert again.duplicate and [r.status for r in again.reconcile] == ["RESOLVED"]
    assert gate_of(ctx, "LOVING").message == "Data verified"
    third = submit_files(ctx, [upload], election=ELECTION, county="LOVING")  # reconciled now: left alone
    assert third.duplicate and third.reconcile == ()


def test_the_statewide_feed_never_lands_in_another_election(ctx: AppContext, tmp_path: Path) -> None:
    from turnout_desktop.errors import ImportRejected
    from turnout_desktop.services.certification import certify

    older = dt.date(2024, 3, 5)
    feed = tmp_path / "feed"
    statewide_csv(feed / "sw_asof_2026-03-04.csv", early("LOVING", range(10)) + early("KENT", range(500, 505)))
    import_statewide(ctx, [statewide_csv(tmp_path / "sw.csv", early("LOVING", range(10)))], election=ELECTION)
    submit_files(ctx, [summary_csv(tmp_path / "loving.csv", 10)], election=ELECTION, county="LOVING")
    reconciliation.set_statewide_source(ctx, str(feed))
    (run,) = submit_files(ctx, [summary_csv(tmp_path / "kent.csv", 5)], election=older,
                          county="KENT").reconcile
    assert run.status == "ESCALATED" and run.actual_total == 0
    with pytest.raises(ImportRejected, match="not the election of 2024-03-05"):  # its votes are 2026 votes
        import_statewide(ctx, [feed / "sw_asof_2026-03-04.csv"], election=older)
    certify(ctx, Scope(ELECTION), reason="canvass done")
    checked = run_check(ctx)
    assert {e.election: e.statewide.outcome if e.statewide else None for e in checked.elections} == {
        ELECTION: "certified", older: None}
    with transaction(ctx.engine) as session:
        files = session.execute(select(func.count()).select_from(SourceFile).where(
            SourceFile.kind == "statewide", SourceFile.election_date == older)).scalar_one()
    assert files == 0


def test_county_records_are_confirmed_only_by_an_active_statewide_record_of_the_county(
        ctx: AppContext, tmp_path: Path) -> None:
    submit_files(ctx, [roster_csv(tmp_path / "loving_roster.csv", range(5))], election=ELECTION, county="LOVING")
    import_statewide(ctx, [statewide_csv(tmp_path / "sw_other.csv", early("KENEDY", range(5)))], election=ELECTION)
    run_check(ctx, ELECTION)
    assert gate_of(ctx, "LOVING").level == "unconfirmed"  # the same VUIDs in another county confirm nothing
    submit_files(ctx, [roster_csv(tmp_path / "king_roster.csv", range(10, 15))], election=ELECTION, county="KING")
    import_statewide(ctx, [statewide_csv(tmp_path / "sw.csv", early("KING", range(10, 15)))], election=ELECTION)
    run_check(ctx, ELECTION)
    assert gate_of(ctx, "KING").message == "Data verified"
    with transaction(ctx.engine) as session:  # the statewide twins go (as an undo of their import would)
        session.execute(update(TurnoutRecord).where(TurnoutRecord.county == "KING",
                                                    TurnoutRecord.source == "statewide").values(removed_at=utcnow()))
    assert not gate_of(ctx, "KING").allowed
    run_check(ctx, ELECTION)
    assert gate_of(ctx, "KING").level in ("unconfirmed", "escalated")


def test_an_override_ends_with_a_new_upload_and_needs_figures(ctx: AppContext, tmp_path: Path) -> None:
    from turnout_desktop.errors import InvalidRequest

    import_statewide(ctx, [statewide_csv(tmp_path / "sw.csv", early("LOVING", range(10)))], election=ELECTION)
    submit_files(ctx, [summary_csv(tmp_path / "loving.csv", 12)], election=ELECTION, county="LOVING")
    override(ctx, Scope(ELECTION, "LOVING", "DEM"), reason="confirmed by phone")
    assert gate_of(ctx, "LOVING").level == "override"
    submit_files(ctx, [summary_csv(tmp_path / "loving2.csv", 9999)], election=ELECTION, county="LOVING")
    decision = gate_of(ctx, "LOVING")
    assert (decision.allowed, decision.level) == (False, "escalated")
    assert status_of(ctx, "LOVING") == "ESCALATED"
    with pytest.raises(InvalidRequest, match="nothing to override"):
        override(ctx, Scope(ELECTION, "LOVING", "GRN"), reason="before any figure")


def test_a_status_written_by_hand_publishes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    import_statewide(ctx, [statewide_csv(tmp_path / "sw.csv", early("LOVING", range(199)))], election=ELECTION)
    (run,) = submit_files(ctx, [summary_csv(tmp_path / "loving.csv", 200)], election=ELECTION,
                          county="LOVING").reconcile
    assert run.status == "ESCALATED"
    with transaction(ctx.engine) as session:  # what a clerk's login could write with plain SQL
        session.execute(update(ReconciliationLog).where(ReconciliationLog.id == run.id).values(status="RESOLVED"))
    assert gate_of(ctx, "LOVING").level == "in_progress"
    submit_files(ctx, [summary_csv(tmp_path / "loving2.csv", 199)], election=ELECTION, county="LOVING",
                 reconcile=False)
    with transaction(ctx.engine) as session:
        session.execute(update(ReconciliationLog).where(ReconciliationLog.id == run.id).values(input_version=999))
    assert gate_of(ctx, "LOVING").level == "in_progress"  # the counts are not the ones that run saw


def test_a_bad_file_in_the_source_never_stops_the_check(ctx: AppContext, tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "page.csv").write_text("<html><body>Not found</body></html>\n", encoding="utf-8")
    statewide_csv(feed / "sw_asof_2026-03-04.csv", early("LOVING", range(3)))
    reconciliation.set_statewide_source(ctx, str(feed))
    submit_files(ctx, [summary_csv(tmp_path / "loving.csv", 3)], election=ELECTION, county="LOVING",
                 reconcile=False)
    (summary,) = run_check(ctx, ELECTION).elections
    assert summary.statewide is not None and summary.statewide.outcome == "imported"
    assert summary.statewide.refused is not None and summary.statewide.refused[0].startswith("page.csv")
    assert gate_of(ctx, "LOVING").message == "Data verified"
    assert summary.log_id is not None
