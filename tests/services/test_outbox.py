"""Offline outbox: queue while the shared server is unreachable, push exactly once when it returns.

The local database is always a real SQLite file; the "shared server" is the ``db_url`` fixture (a SQLite file,
then the PostgreSQL test server). "Unreachable" is a PostgreSQL URL on a local port nobody listens on.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from desktop_jobs import closed_port_url
from sqlalchemy import Engine, func, select, update
from sqlalchemy.engine import make_url

from turnout_desktop.cli.main import main
from turnout_desktop.db.models import (
    AuditEvent,
    CountyRosterRow,
    CountyTurnoutReference,
    OutboxItem,
    ReconciliationLog,
    SourceFile,
    Submission,
)
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.errors import DatabaseUnavailable
from turnout_desktop.services.context import AppContext, open_context
from turnout_desktop.services.outbox import (
    list_outbox,
    open_server_context,
    pending_count,
    push_outbox,
    queue_submission,
    submit_or_queue,
)
from turnout_desktop.services.submission import submit_files
from turnout_desktop.services.upload_refusals import SubmissionBlocked

ELECTION = dt.date(2026, 3, 3)
LOVING_ROWS = [("1151000001", "DEM", "early-voting"), ("1151000002", "DEM", "early-voting"),
               ("1151000003", "DEM", "mail-in"), ("1151000004", "REP", "election-day")]


def _roster(folder: Path, name: str, rows: list[tuple[str, str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"])
        writer.writerows([v, p, m, "0001", "2026-02-20"] for v, p, m in rows)
    return path


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def local_ctx(tmp_path: Path) -> AppContext:
    ctx = open_context(f"sqlite:///{tmp_path / 'local' / 'turnout.db'}", user="clerk1")
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def server_ctx(db_engine: Engine) -> AppContext:
    return AppContext(db_engine, user="pusher")


def test_unreachable_server_queues_then_push_stores_exactly_once(local_ctx: AppContext, server_ctx: AppContext,
                                                                 tmp_path: Path) -> None:
    path = _roster(tmp_path / "in", "loving_roster.csv", LOVING_ROWS)
    outcome = submit_or_queue(local_ctx, closed_port_url(), [path], election=ELECTION, county="Loving",
                              user="clerk1", reconcile=False)
    assert outcome.queued and outcome.submit is None
    assert "unreachable" in outcome.message and f"item {outcome.outbox_item.id}" in outcome.message
    assert outcome.outbox_item.counties == ("LOVING",) and outcome.outbox_item.files == ("loving_roster.csv",)
    assert pending_count(local_ctx) == 1 and _count(server_ctx.engine, Submission) == 0
    client_uuid = outcome.outbox_item.uuid

    path.unlink()  # the outbox keeps the bytes: the original file may be gone by push time
    pushed = push_outbox(local_ctx, server_ctx, reconcile=False)
    assert [(p.status, p.uuid, p.counties, p.error) for p in pushed] == [
        ("pushed", client_uuid, ("LOVING",), None)]
    with pytest.raises(dataclasses.FrozenInstanceError):  # the results are frozen records
        outcome.queued = False
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.outbox_item.counties = ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        pushed[0].status = "failed"
    with transaction(server_ctx.engine) as session:
        submission = session.execute(select(Submission)).scalar_one()
        # On a shared server the login that pushes is who submits; the queued item keeps the offline clerk.
        submitter = server_ctx.user if server_ctx.signed_in else "clerk1"
        assert (submission.uuid, submission.county, submission.submitted_by) == (client_uuid, "LOVING", submitter)
        assert pushed[0].submission_ids == (submission.id,)
        assert session.execute(select(SourceFile.name)).scalars().all() == ["loving_roster.csv"]
        reference = {(r.party, r.voting_method): r.official_count
                     for r in session.execute(select(CountyTurnoutReference)).scalars()}
    assert reference == {
        ("DEM", "early-voting"): 2, ("DEM", "election-day"): 0, ("DEM", "mail-in"): 1, ("DEM", "TOTAL"): 3,
        ("REP", "early-voting"): 0, ("REP", "election-day"): 1, ("REP", "mail-in"): 0, ("REP", "TOTAL"): 1,
    }
    assert _count(server_ctx.engine, CountyRosterRow) == 4
    assert pending_count(local_ctx) == 0
    assert list_outbox(local_ctx)[0].pushed_at is not None

    assert push_outbox(local_ctx, server_ctx, reconcile=False) == []  # nothing left: nothing new
    assert _count(server_ctx.engine, Submission) == 1 and _count(server_ctx.engine, CountyRosterRow) == 4


def test_crash_between_server_commit_and_local_mark_is_still_exactly_once(
        local_ctx: AppContext, server_ctx: AppContext, tmp_path: Path) -> None:
    first = _roster(tmp_path / "v1", "loving.csv", LOVING_ROWS[:2])
    item = queue_submission(local_ctx, [first], election=ELECTION, county="LOVING", user="clerk1")
    assert [p.status for p in push_outbox(local_ctx, server_ctx, reconcile=False)] == ["pushed"]
    # Meanwhile a newer upload reaches the server online and supersedes the queued one.
    newer = _roster(tmp_path / "v2", "loving.csv", LOVING_ROWS)
    submit_files(AppContext(server_ctx.engine, user="clerk1"), [newer], election=ELECTION, county="LOVING",
                 reconcile=False)
    with transaction(local_ctx.engine) as session:  # the crash: the local mark never happened
        session.execute(update(OutboxItem).where(OutboxItem.id == item.id).values(pushed_at=None))
    assert pending_count(local_ctx) == 1

    replay = push_outbox(local_ctx, server_ctx, reconcile=False)
    with transaction(server_ctx.engine) as session:
        queued_ids = session.execute(select(Submission.id).where(Submission.uuid == item.uuid)).scalars().all()
        current = session.execute(select(Submission.id).where(Submission.superseded_at.is_(None))).scalars().all()
        dem_total = session.execute(select(CountyTurnoutReference.official_count).where(
            CountyTurnoutReference.party == "DEM", CountyTurnoutReference.voting_method == "TOTAL")).scalar_one()
        submit_events = session.execute(select(func.count()).select_from(AuditEvent)
                                        .where(AuditEvent.event_type == "submit")).scalar_one()
    assert [(r.status, r.submission_ids) for r in replay] == [("already_pushed", tuple(queued_ids))]
    assert len(queued_ids) == 1 and _count(server_ctx.engine, Submission) == 2
    assert current != queued_ids and dem_total == 3  # the replay did not bring the old counts back
    assert submit_events == 2 and pending_count(local_ctx) == 0


def test_submit_files_with_a_known_uuid_writes_nothing(server_ctx: AppContext, tmp_path: Path) -> None:
    client_uuid = "0b7c7d0e-4a53-4b8e-9a35-6f1f1bd1b001"
    first = _roster(tmp_path / "a", "loving.csv", LOVING_ROWS[:1])
    stored = submit_files(server_ctx, [first], election=ELECTION, county="LOVING", reconcile=False,
                          submission_uuid=client_uuid)
    other = _roster(tmp_path / "b", "loving.csv", LOVING_ROWS)
    again = submit_files(server_ctx, [other], election=ELECTION, county="LOVING", reconcile=False,
                         submission_uuid=client_uuid)
    assert stored.stored and not again.stored and again.duplicate
    assert again.submission_ids == stored.submission_ids and len(stored.submission_ids) == 1
    assert _count(server_ctx.engine, Submission) == 1 and _count(server_ctx.engine, CountyRosterRow) == 1


def test_blocked_files_are_refused_at_queue_time(local_ctx: AppContext, tmp_path: Path) -> None:
    bad = _roster(tmp_path, "bad.csv", [("1151000001", "DEM", "early-voting"), ("115100000", "DEM", "mail-in")])
    with pytest.raises(SubmissionBlocked) as blocked:
        queue_submission(local_ctx, [bad], election=ELECTION, county="LOVING", user="clerk1")
    assert [p.code for p in blocked.value.upload.problems if p.blocking] == ["vuid_too_short"]
    with pytest.raises(SubmissionBlocked):
        submit_or_queue(local_ctx, closed_port_url(), [bad], election=ELECTION, county="LOVING")
    assert _count(local_ctx.engine, OutboxItem) == 0


def test_failed_item_keeps_its_place_with_last_error(local_ctx: AppContext, server_ctx: AppContext,
                                                     tmp_path: Path) -> None:
    queue_submission(local_ctx, [_roster(tmp_path, "loving.csv", LOVING_ROWS)], election=ELECTION,
                     county="LOVING", user="clerk1")
    clerk_elsewhere = AppContext(server_ctx.engine, user="clerk9", role="clerk", county="HARRIS")
    failed = push_outbox(local_ctx, clerk_elsewhere, reconcile=False)
    assert [(f.status, (f.error or "").split(":")[0]) for f in failed] == [("failed", "PermissionDenied")]
    item = list_outbox(local_ctx)[0]
    assert item.pushed_at is None and item.last_error == ("PermissionDenied: not permitted: clerk may not act for "
                                                            "LOVING (granted: HARRIS)")
    assert _count(server_ctx.engine, Submission) == 0
    assert [p.status for p in push_outbox(local_ctx, server_ctx, reconcile=False)] == ["pushed"]
    assert list_outbox(local_ctx)[0].last_error is None


def test_push_stops_when_the_server_is_unreachable(local_ctx: AppContext, tmp_path: Path) -> None:
    for index in range(2):
        queue_submission(local_ctx, [_roster(tmp_path / str(index), "loving.csv", LOVING_ROWS[:index + 1])],
                         election=ELECTION, county="LOVING", user="clerk1")
    with pytest.raises(DatabaseUnavailable):
        open_server_context(closed_port_url(), user="clerk1", role="admin")
    gone = make_engine(closed_port_url())
    try:
        outcome = push_outbox(local_ctx, AppContext(gone, user="clerk1"), reconcile=False)
    finally:
        gone.dispose()
    assert [(o.status, o.unreachable) for o in outcome] == [("failed", True)]  # the second is not tried
    assert pending_count(local_ctx) == 2
    assert [i.last_error is not None for i in list_outbox(local_ctx)] == [True, False]


def test_reachable_server_submits_directly_with_the_client_uuid(local_ctx: AppContext, db_url: str,
                                                                tmp_path: Path) -> None:
    path = _roster(tmp_path, "loving.csv", LOVING_ROWS)
    outcome = submit_or_queue(local_ctx, db_url, [path], election=ELECTION, county="LOVING", user="clerk1",
                              reconcile=False)
    assert not outcome.queued and outcome.submit is not None and outcome.submit.stored
    assert outcome.outbox_item is None
    assert _count(local_ctx.engine, OutboxItem) == 0
    engine = make_engine(db_url)
    try:
        with transaction(engine) as session:
            rows = session.execute(select(Submission.uuid, Submission.submitted_by)).all()
    finally:
        engine.dispose()
    submitter = "clerk1" if db_url.startswith("sqlite") else make_url(db_url).username
    assert len(rows) == 1 and len(rows[0].uuid) == 36 and rows[0].submitted_by == submitter


def test_cli_submit_offline_list_and_push(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local_url = f"sqlite:///{tmp_path / 'cli-local.db'}"
    path = _roster(tmp_path, "loving.csv", LOVING_ROWS)
    base = ["--db", local_url]
    assert main([*base, "submit", str(path), "--county", "LOVING", "--election", "2026-03-03",
                 "--user", "clerk1",
                 "--offline", "--json"]) == 0
    queued = json.loads(capsys.readouterr().out)
    assert queued["queued"] is True and queued["outbox_item"]["counties"] == ["LOVING"]

    assert main([*base, "outbox", "list", "--pending", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(i["uuid"], i["pushed_at"], i["user"]) for i in listed] == [(queued["outbox_item"]["uuid"], None, "clerk1")]

    assert main([*base, "outbox", "push", "--server", closed_port_url(), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["reachable"] is False

    assert main([*base, "outbox", "push", "--server", db_url, "--no-reconcile", "--json"]) == 0
    pushed = json.loads(capsys.readouterr().out)
    assert [i["status"] for i in pushed["items"]] == ["pushed"] and pushed["reachable"] is True
    assert main([*base, "outbox", "push", "--server", db_url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["items"] == []
    assert main([*base, "outbox", "list", "--pending", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []

    bad = _roster(tmp_path / "bad", "bad.csv", [("115100000", "DEM", "mail-in")])
    assert main([*base, "submit", str(bad), "--county", "LOVING", "--election", "2026-03-03",
                 "--user", "clerk1",
                 "--offline"]) == 1


def test_multi_county_upload_is_pushed_once_and_reconciled(local_ctx: AppContext, server_ctx: AppContext,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "two_counties.csv"
    path.write_text("VUID,COUNTY,PARTY,VOTING_METHOD\n1151000001,LOVING,DEM,early-voting\n"
                    "1151000002,KENEDY,DEM,mail-in\n1151000003,KENEDY,DEM,mail-in\n", encoding="utf-8")
    item = queue_submission(local_ctx, [path], election=ELECTION, user="clerk1")
    assert item.counties == ("KENEDY", "LOVING")
    pushed = push_outbox(local_ctx, server_ctx)
    assert [(p.status, p.counties, p.reconcile_error) for p in pushed] == [
        ("pushed", ("KENEDY", "LOVING"), None)]
    assert sorted((r.county, r.party, r.expected_total) for r in pushed[0].reconcile) == [
        ("KENEDY", "DEM", 2), ("LOVING", "DEM", 1)]
    with transaction(local_ctx.engine) as session:
        session.execute(update(OutboxItem).values(pushed_at=None))
    replay = push_outbox(local_ctx, server_ctx, reconcile=False)
    with transaction(server_ctx.engine) as session:
        rows = session.execute(select(Submission.id, Submission.county, Submission.uuid)
                               .order_by(Submission.county)).all()
    assert [(r.county, r.uuid == item.uuid) for r in rows] == [("KENEDY", True), ("LOVING", False)]
    assert [(r.status, r.submission_ids) for r in replay] == [("already_pushed", tuple(sorted(r.id for r in rows)))]


def test_a_repeated_push_finishes_the_reconciliation_a_crash_left_undone(
        local_ctx: AppContext, server_ctx: AppContext, tmp_path: Path) -> None:
    upload = _roster(tmp_path / "v1", "loving.csv", LOVING_ROWS)
    item = queue_submission(local_ctx, [upload], election=ELECTION, county="LOVING", user="clerk1")
    # The crash: the server stored the item, then the process died before reconciling and marking it.
    assert [p.status for p in push_outbox(local_ctx, server_ctx, reconcile=False)] == ["pushed"]
    with transaction(local_ctx.engine) as session:
        session.execute(update(OutboxItem).where(OutboxItem.id == item.id).values(pushed_at=None))
    assert _count(server_ctx.engine, ReconciliationLog) == 0
    (replay,) = push_outbox(local_ctx, server_ctx)
    assert replay.status == "already_pushed"
    assert {(r.county, r.trigger_type) for r in replay.reconcile} == {("LOVING", "COUNTY_UPLOAD")}
    assert pending_count(local_ctx) == 0
    with transaction(local_ctx.engine) as session:  # pushed again after a full run: nothing left to finish
        session.execute(update(OutboxItem).where(OutboxItem.id == item.id).values(pushed_at=None))
    (again,) = push_outbox(local_ctx, server_ctx)
    assert again.status == "already_pushed" and again.reconcile == ()
