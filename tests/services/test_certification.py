"""Certification: a certified county or election refuses uploads, undos, statewide imports and engine fixes;
uncertify lifts the lock; the drift check alarms on changes made behind the application's back.

The service tests run on SQLite and on PostgreSQL (``db_engine``); the CLI test on a SQLite file.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from csv_files import write_csv
from sqlalchemy import Engine, func, select, text, update

from turnout_desktop.cli.main import main
from turnout_desktop.db.models import (
    AuditEvent,
    Certification,
    CountyRosterRow,
    Fix,
    FixAction,
    SourceFile,
    Submission,
    TurnoutRecord,
    utcnow,
)
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.engine.certification import certified_scope
from turnout_desktop.engine.fixes import undo_fix
from turnout_desktop.errors import Certified, InvalidRequest, PermissionDenied
from turnout_desktop.reports.model import build_report, report_tables
from turnout_desktop.services import certification, reconciliation
from turnout_desktop.services.context import AppContext, open_context
from turnout_desktop.services.demo import DEMO_ELECTION, STATEWIDE_HEADER, write_demo_files
from turnout_desktop.services.outbox import push_outbox, queue_submission
from turnout_desktop.services.submission import import_statewide, submit_files

ELECTION = DEMO_ELECTION


def today() -> str:
    """The UTC date now (read at each assertion: a module-level constant breaks when a run crosses midnight)."""
    return f"{utcnow():%Y-%m-%d}"


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def _changed_roster(files: dict[str, Path], county: str, tmp_path: Path) -> Path:
    """The county's demo roster without its last voter: a different file, a different count."""
    header, rows = _rows(files[county])
    return write_csv(tmp_path / f"{county.lower()}_v2.csv", header, rows[:-1])


def _counts(engine: Engine) -> dict[str, int]:
    """Rows of every table an upload, an import or an undo writes."""
    with engine.connect() as connection:
        counted = {model.__tablename__: connection.execute(select(func.count()).select_from(model)).scalar_one()
                   for model in (Submission, SourceFile, CountyRosterRow, TurnoutRecord, Fix)}
        counted["active_records"] = connection.execute(select(func.count()).select_from(TurnoutRecord).where(
            TurnoutRecord.removed_at.is_(None))).scalar_one()
        counted["undone_fixes"] = connection.execute(select(func.count()).select_from(Fix).where(
            Fix.undone_at.is_not(None))).scalar_one()
    return counted


def _events(engine: Engine, event_type: str) -> list[AuditEvent]:
    with transaction(engine) as session:
        return list(session.execute(select(AuditEvent).where(AuditEvent.event_type == event_type)
                                    .order_by(AuditEvent.seq)).scalars())


@pytest.fixture
def demo(db_engine: Engine, tmp_path: Path) -> dict[str, Path]:
    """Statewide snapshot plus the uploads of LOVING and KING, not reconciled."""
    files = write_demo_files(tmp_path / "demo")
    ctx = AppContext(db_engine, user="loader")
    import_statewide(ctx, [files["statewide"]], election=ELECTION)
    for county in ("LOVING", "KING"):
        submit_files(ctx, [files[county]], election=ELECTION, county=county, reconcile=False)
    return files


def test_a_certified_county_refuses_a_later_upload_until_uncertified(db_engine: Engine, demo: dict[str, Path],
                                                                     tmp_path: Path) -> None:
    admin = AppContext(db_engine, user="jdoe")
    row = certification.certify(admin, Scope(ELECTION, "loving"), reason="canvass complete")
    assert (row.county, row.certified_by, row.in_force) == ("LOVING", "jdoe", True)
    assert certification.list_certifications(admin, ELECTION)[0].id == row.id
    newer = _changed_roster(demo, "LOVING", tmp_path)
    before = _counts(db_engine)
    clerk = AppContext(db_engine, user="clerk1", role="clerk", county="LOVING")
    with pytest.raises(Certified, match=f"^LOVING 2026-03-03 is certified on {today()} by jdoe: roster upload refused"):
        submit_files(clerk, [newer], election=ELECTION, county="LOVING", reconcile=False)
    assert _counts(db_engine) == before  # nothing of the refused upload was written
    refused = _events(db_engine, "submit")[-1]
    assert refused.disposition == "failure" and "certified on" in refused.message
    # Another county is not locked.
    submit_files(AppContext(db_engine, user="clerk2", role="clerk", county="KING"),
                 [_changed_roster(demo, "KING", tmp_path)], election=ELECTION, county="KING", reconcile=False)

    with pytest.raises(InvalidRequest, match="needs a written reason"):
        certification.uncertify(admin, Scope(ELECTION, "LOVING"), reason="  ")
    revoked = certification.uncertify(admin, Scope(ELECTION, "LOVING"), reason="recount ordered")
    assert revoked.revoked_by == "jdoe" and not revoked.in_force
    result = submit_files(clerk, [newer], election=ELECTION, county="LOVING", reconcile=False)
    assert result.stored
    assert [e.event_type for e in _events(db_engine, "certified") + _events(db_engine, "uncertified")] == [
        "certified", "uncertified"]
    assert _events(db_engine, "uncertified")[0].details["reason"] == "recount ordered"


def test_who_may_certify_and_bad_requests(db_engine: Engine, demo: dict[str, Path]) -> None:
    clerk = AppContext(db_engine, user="clerk1", role="clerk", county="LOVING")
    with pytest.raises(PermissionDenied, match="^not permitted: clerk may not certify an election$"):
        certification.certify(clerk, Scope(ELECTION, "LOVING"), reason="mine")
    with pytest.raises(PermissionDenied, match="not permitted: auditor"):
        certification.uncertify(AppContext(db_engine, user="aud", role="auditor"), Scope(ELECTION), reason="x")
    admin = AppContext(db_engine, user="jdoe", role="admin")
    with pytest.raises(InvalidRequest, match="needs a written reason"):
        certification.certify(admin, Scope(ELECTION, "LOVING"), reason="")
    with pytest.raises(InvalidRequest, match="Unknown Texas county 'Atlantis'"):
        certification.certify(admin, Scope(ELECTION, "Atlantis"), reason="x")
    with pytest.raises(InvalidRequest, match="no official counts"):
        certification.certify(admin, Scope(ELECTION, "BORDEN"), reason="nothing uploaded")
    with pytest.raises(InvalidRequest, match="LOVING 2026-03-03 is not certified"):
        certification.uncertify(admin, Scope(ELECTION, "LOVING"), reason="x")
    certification.certify(admin, Scope(ELECTION), reason="statewide canvass")
    with pytest.raises(InvalidRequest, match="already certified \\(through the whole election\\)"):
        certification.certify(admin, Scope(ELECTION, "LOVING"), reason="again")
    with pytest.raises(InvalidRequest, match="already certified on"):
        certification.certify(admin, Scope(ELECTION), reason="again")
    with pytest.raises(InvalidRequest, match="certified through the whole election"):
        certification.uncertify(admin, Scope(ELECTION, "LOVING"), reason="x")
    with transaction(db_engine) as session:
        assert certified_scope(session, ELECTION, "BORDEN") is not None  # through the whole election
        assert certified_scope(session, dt.date(2026, 11, 3), "BORDEN") is None


def test_reports_say_certified_or_unofficial(db_engine: Engine, demo: dict[str, Path]) -> None:
    certification.certify(AppContext(db_engine, user="jdoe"), Scope(ELECTION, "LOVING"), reason="canvass")
    with transaction(db_engine) as session:
        loving = build_report(session, election=ELECTION, county="LOVING")
        king = build_report(session, election=ELECTION, county="KING")
        whole = build_report(session, election=ELECTION)
    assert (loving.certification, king.certification, whole.certification) == ("certified", "unofficial",
                                                                             "unofficial")
    assert ["certification", "certified"] in report_tables(loving)[0].rows


def test_a_reconciliation_of_a_certified_scope_is_refused(db_engine: Engine, demo: dict[str, Path]) -> None:
    admin = AppContext(db_engine, user="jdoe")
    certification.certify(admin, Scope(ELECTION, "KING"), reason="canvass")
    before = _counts(db_engine)
    with pytest.raises(Certified, match="KING 2026-03-03 is certified on .* manual reconciliation refused"):
        reconciliation.reconcile(admin, Scope(ELECTION, county="KING"))
    with pytest.raises(Certified, match="county upload reconciliation refused"):
        reconciliation.reconcile(admin, Scope(ELECTION, county="KING"), trigger="COUNTY_UPLOAD")
    assert reconciliation.preview_reconcile(admin, Scope(ELECTION, county="KING"))  # a preview writes nothing
    assert _counts(db_engine) == before
    reconciliation.reconcile(admin, Scope(ELECTION, county="LOVING"))  # not certified
    certification.certify(admin, Scope(ELECTION), reason="statewide canvass")
    with pytest.raises(Certified, match="The election of 2026-03-03 is certified"):
        reconciliation.reconcile(admin, Scope(ELECTION))


def test_an_undo_touching_a_certified_county_is_refused(db_engine: Engine, demo: dict[str, Path],
                                                        tmp_path: Path) -> None:
    """MCMULLEN's fix moves six voters filed under LIVE OAK: certifying LIVE OAK locks that fix too."""
    admin = AppContext(db_engine, user="jdoe")
    submit_files(admin, [demo["MCMULLEN"]], election=ELECTION, county="MCMULLEN")  # reconciles: strategy C moves
    live_oak = write_csv(tmp_path / "live_oak_summary.csv", ["Party", "Early Voting", "Election Day", "Mail",
                                                               "Total"], [["DEM", "1", "0", "0", "1"]])
    submit_files(admin, [live_oak], election=ELECTION, county="LIVE OAK", reconcile=False)
    with transaction(db_engine) as session:
        moved = session.execute(
            select(Fix.id).join(FixAction, FixAction.fix_id == Fix.id)
            .where(Fix.county == "MCMULLEN", FixAction.table_name == "turnout_record",
                   FixAction.action == "reassign")).scalars().first()
    assert moved is not None, "the demo's MCMULLEN run no longer reassigns LIVE OAK records"
    certification.certify(admin, Scope(ELECTION, "LIVE OAK"), reason="canvass")
    before = _counts(db_engine)
    with transaction(db_engine) as session, pytest.raises(Certified, match=f"^LIVE OAK .* undo of fix {moved}"):
        undo_fix(session, moved, "jdoe")
    assert _counts(db_engine) == before
    certification.uncertify(admin, Scope(ELECTION, "LIVE OAK"), reason="recount")
    with transaction(db_engine) as session:
        assert undo_fix(session, moved, "jdoe").fix_id == moved


def test_a_statewide_import_adding_records_to_a_certified_county_is_refused(db_engine: Engine,
                                                                            demo: dict[str, Path],
                                                                            tmp_path: Path) -> None:
    admin = AppContext(db_engine, user="jdoe")
    certification.certify(admin, Scope(ELECTION, "LOVING"), reason="canvass")
    _header, statewide = _rows(demo["statewide"])
    late_loving = ["1165999999", "LOVING", "DEM", "mail-in", "0001", "2026-02-25"]
    adds_loving = write_csv(tmp_path / "statewide_2026-03-03_asof_2026-03-05.csv", STATEWIDE_HEADER,
                             [*statewide, late_loving])
    before = _counts(db_engine)
    with pytest.raises(Certified, match="LOVING 2026-03-03 is certified .* statewide import of"):
        import_statewide(admin, [adds_loving], election=ELECTION)
    assert _counts(db_engine) == before  # the file, its records and the cache rolled back together
    refused = _events(db_engine, "import_statewide")[-1]
    assert refused.disposition == "failure" and refused.details["reason"] == "Certified"
    # A file that adds records only to counties that are not certified still loads.
    assert import_statewide(admin, [demo["newer"]], election=ELECTION).inserted > 0
    certification.uncertify(admin, Scope(ELECTION, "LOVING"), reason="late mail ballot")
    assert import_statewide(admin, [adds_loving], election=ELECTION).inserted == 1


def test_the_drift_check_alarms_once_a_day_and_changes_nothing(db_engine: Engine, demo: dict[str, Path]) -> None:
    admin = AppContext(db_engine, user="jdoe")
    loving = certification.certify(admin, Scope(ELECTION, "LOVING"), reason="canvass")
    certification.certify(admin, Scope(ELECTION, "KING"), reason="canvass")
    assert certification.drift_check(admin, ELECTION) == ()  # nothing changed: no alarm
    with db_engine.begin() as connection:  # behind the application's back: one LOVING record removed
        victim = connection.execute(select(TurnoutRecord.id).where(TurnoutRecord.county == "LOVING")
                                    .order_by(TurnoutRecord.id).limit(1)).scalar_one()
        connection.execute(update(TurnoutRecord).where(TurnoutRecord.id == victim).values(removed_at=utcnow()))
    before = _counts(db_engine)
    assert certification.drift_check(admin, ELECTION) == ()  # already checked today
    drifts = certification.drift_check(admin, ELECTION, force=True)
    assert [(d.certification_id, d.county) for d in drifts] == [(loving.id, "LOVING")]
    [change] = drifts[0].changes
    assert change.table == "records" and change.key.startswith("LOVING|")
    assert change.certified is not None and change.now == change.certified - 1
    alarms = _events(db_engine, "certified_drift")
    assert len(alarms) == 1 and alarms[0].disposition == "failure" and alarms[0].county == "LOVING"
    assert alarms[0].details["changes_count"] == 1 and "ALARM" in alarms[0].message
    assert _counts(db_engine) == before  # it fixes nothing: the record stays removed
    assert certification.drift_check(admin, ELECTION) == ()  # once a day
    assert len(_events(db_engine, "certified_drift")) == 1
    with db_engine.begin() as connection:  # a day later the check is due again
        connection.execute(update(Certification).values(last_drift_check_at=utcnow() - dt.timedelta(days=1)))
    assert [d.county for d in certification.drift_check(admin, ELECTION)] == ["LOVING"]
    with db_engine.connect() as connection:
        stamps = connection.execute(select(Certification.last_drift_check_at)).scalars().all()
    assert all(stamp is not None and stamp.date() == utcnow().date() for stamp in stamps)


def test_the_cli_refuses_with_exit_4_and_one_line(sqlite_url: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    files = write_demo_files(tmp_path / "demo")
    assert main(["--db", sqlite_url, "import-statewide", str(files["statewide"]), "--election", "2026-03-03"]) == 0
    assert main(["--db", sqlite_url, "submit", str(files["LOVING"]), "--county", "LOVING", "--election",
                 "2026-03-03", "--no-reconcile"]) == 0
    with pytest.raises(SystemExit) as usage:  # --reason is required
        main(["--db", sqlite_url, "certify", "--election", "2026-03-03", "--county", "Loving"])
    assert usage.value.code == 2
    capsys.readouterr()
    assert main(["--db", sqlite_url, "certify", "--election", "2026-03-03", "--county", "Loving", "--reason",
                 "canvass complete", "--user", "jdoe"]) == 0
    assert capsys.readouterr().out.startswith(f"LOVING 2026-03-03 certified on {today()} by jdoe")
    assert main(["--db", sqlite_url, "certify", "--election", "2026-03-03", "--county", "Loving", "--reason",
                 "twice"]) == 2
    capsys.readouterr()
    engine = make_engine(sqlite_url)
    with transaction(engine) as session:
        submissions = session.execute(select(func.count()).select_from(Submission)).scalar_one()
    assert main(["--db", sqlite_url, "submit", str(_changed_roster(files, "LOVING", tmp_path)), "--county",
                 "LOVING", "--election", "2026-03-03", "--user", "clerk1"]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"LOVING 2026-03-03 is certified on {today()} by jdoe" in err
    with transaction(engine) as session:
        assert session.execute(select(func.count()).select_from(Submission)).scalar_one() == submissions
    engine.dispose()
    assert main(["--db", sqlite_url, "certifications", "--election", "2026-03-03", "--json"]) == 0
    assert '"in_force": true' in capsys.readouterr().out
    assert main(["--db", sqlite_url, "uncertify", "--election", "2026-03-03", "--county", "LOVING", "--reason",
                 "recount", "--json"]) == 0
    assert '"revoke_reason": "recount"' in capsys.readouterr().out


def test_strategy_a_may_not_refetch_records_into_a_certified_county(db_engine: Engine, demo: dict[str, Path],
                                                                    tmp_path: Path) -> None:
    """KENEDY needs the newer statewide file; that file also adds a LOVING voter, and LOVING is certified."""
    admin = AppContext(db_engine, user="jdoe")
    submit_files(admin, [demo["KENEDY"]], election=ELECTION, county="KENEDY", reconcile=False)
    _header, newer = _rows(demo["newer"])
    source = tmp_path / "source"
    source.mkdir()
    write_csv(source / "statewide_2026-03-03_asof_2026-03-05.csv", STATEWIDE_HEADER,
               [*newer, ["1165999999", "LOVING", "DEM", "mail-in", "0001", "2026-02-25"]])
    certification.certify(admin, Scope(ELECTION, "LOVING"), reason="canvass")
    before = _statewide_state(db_engine)
    assert reconciliation.reconcile(admin, Scope(ELECTION, county="KENEDY"), statewide_source=str(source))
    with transaction(db_engine) as session:
        messages = session.execute(text("SELECT message FROM reconciliation_attempt")).scalars().all()
    assert any("LOVING 2026-03-03 is certified" in (m or "") for m in messages), messages
    assert _statewide_state(db_engine) == before  # the attempt rolled back: no file, no LOVING record


def _statewide_state(engine: Engine) -> tuple[int, int]:
    """(statewide files, LOVING records)."""
    with engine.connect() as connection:
        return (connection.execute(select(func.count()).select_from(SourceFile)
                                   .where(SourceFile.kind == "statewide")).scalar_one(),
                connection.execute(select(func.count()).select_from(TurnoutRecord)
                                   .where(TurnoutRecord.county == "LOVING")).scalar_one())


def test_an_outbox_push_to_a_certified_county_stays_queued(db_engine: Engine, demo: dict[str, Path],
                                                           tmp_path: Path) -> None:
    """Queued offline before the certification, pushed after it: refused, kept with the reason, pushed later."""
    local = open_context(f"sqlite:///{tmp_path / 'local' / 'turnout.db'}", user="clerk1")
    try:
        queue_submission(local, [_changed_roster(demo, "LOVING", tmp_path)], election=ELECTION, county="LOVING")
        server = AppContext(db_engine, user="pusher")
        certification.certify(server, Scope(ELECTION, "LOVING"), reason="canvass")
        before = _counts(db_engine)
        [outcome] = push_outbox(local, server, reconcile=False)
        assert outcome.status == "failed" and "LOVING 2026-03-03 is certified on" in (outcome.error or "")
        assert _counts(db_engine) == before
        certification.uncertify(server, Scope(ELECTION, "LOVING"), reason="recount")
        assert [o.status for o in push_outbox(local, server, reconcile=False)] == ["pushed"]
    finally:
        local.engine.dispose()
