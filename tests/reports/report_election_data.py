"""A small real-looking election for report tests (counts from the Civix 58315 gap report).

Official counts = the county turnout columns, database counts = the roster columns of
tests/corpus/real/civix_58315_ev_turnout_vs_roster_gap.csv:
- ANDERSON: official EV 2390 / mail 99 / TOTAL 2489, database 2390 / 28: escalated, 71 missing VUIDs.
- ANDREWS: official 395 / 11 / 406, database 395 / 4 before a fill-gaps fix that added the 7: resolved.
- KENT: official 4 / 0 / 4, database 4 / 0: resolved, verified.
- JIM HOGG: official 6 / 1 / 7, database 6 / 0: escalated, then manually overridden by an admin.
- HARDEMAN: 1 statewide record, no county upload.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert
from sqlalchemy.orm import Session

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.models import (
    CountyRosterRow,
    CountyTurnoutReference,
    Fix,
    FixAction,
    ManualOverride,
    ReconciliationAttempt,
    ReconciliationLog,
    SourceFile,
    Submission,
    TurnoutRecord,
)

ELECTION = dt.date(2024, 11, 5)
AS_OF = dt.datetime(2024, 11, 4, 6, 0, 0)
EV, ED, MAIL = "early-voting", "election-day", "mail-in"
PARTY = "ALL"
GENERATED_AT = dt.datetime(2024, 11, 6, 9, 30, 0)
ANDERSON_MISSING = [f"{1100000000 + n}" for n in range(71)]


def _vuids(county_id: int, method_no: int, count: int) -> list[str]:
    return [f"{county_id:03d}{method_no}{n:06d}" for n in range(count)]


def _records(session: Session, statewide_file: int, county: str, county_id: int, ev: int, mail: int) -> None:
    rows = [dict(election_date=ELECTION, vuid=vuid, county=county, party=PARTY, voting_method=method,
                 precinct=f"{county_id:03d}-{index % 7 + 1}", source="statewide", verification="verified",
                 source_file_id=statewide_file)
            for method, method_no, count in ((EV, 1, ev), (MAIL, 3, mail))
            for index, vuid in enumerate(_vuids(county_id, method_no, count))]
    if rows:
        session.execute(insert(TurnoutRecord), rows)


def _reference(session: Session, county: str, ev: int, mail: int) -> None:
    for method, count in ((EV, ev), (ED, 0), (MAIL, mail), ("TOTAL", ev + mail)):
        session.add(CountyTurnoutReference(county=county, election_date=ELECTION, party=PARTY,
                                           voting_method=method, official_count=count, uploaded_by="clerk"))


def _log(session: Session, county: str, expected: int, actual: int, status: str, **extra: object) -> ReconciliationLog:
    log = ReconciliationLog(county=county, election_date=ELECTION, party=PARTY, trigger_type="COUNTY_UPLOAD",
                            expected_total=expected, actual_total=actual, discrepancy=actual - expected,
                            discrepancy_pct=round(100 * abs(actual - expected) / expected, 4), status=status,
                            created_at=dt.datetime(2024, 11, 5, 20, 0, 0), **extra)
    session.add(log)
    session.flush()
    return log


def populate(session: Session) -> dict[str, int]:
    """Fill the database; returns ids the tests refer to."""
    statewide = SourceFile(kind="statewide", name="STATEWIDE_EV_58315.csv", sha256="a" * 64, size_bytes=10,
                           election_date=ELECTION, as_of=AS_OF)
    older = SourceFile(kind="statewide", name="STATEWIDE_EV_58315_old.csv", sha256="b" * 64, size_bytes=10,
                       election_date=ELECTION, as_of=AS_OF - dt.timedelta(days=1),
                       uploaded_at=dt.datetime(2024, 11, 3))
    roster_file = SourceFile(kind="county_roster", name="Anderson_EV_roster.xlsx", sha256="c" * 64,
                             size_bytes=10, election_date=ELECTION)
    session.add_all([statewide, older, roster_file])
    session.flush()
    submission = Submission(uuid="00000000-0000-0000-0000-000000000001", county="ANDERSON", election_date=ELECTION,
                            kind="roster", submitted_by="clerk")
    session.add(submission)
    session.flush()
    session.execute(insert(CountyRosterRow), [
        dict(submission_id=submission.id, source_file_id=roster_file.id, sheet="EV", row_no=index + 2,
             election_date=ELECTION, county="ANDERSON", party=PARTY, voting_method=MAIL, vuid=vuid,
             vuid_raw=vuid, precinct=f"P{index % 5 + 101}")
        for index, vuid in enumerate(ANDERSON_MISSING)])
    _records(session, statewide.id, "ANDERSON", 1, 2390, 28)
    _records(session, statewide.id, "ANDREWS", 2, 395, 11)
    _records(session, statewide.id, "KENT", 132, 4, 0)
    _records(session, statewide.id, "JIM HOGG", 124, 6, 0)
    _records(session, statewide.id, "HARDEMAN", 99, 1, 0)
    for county, ev, mail in (("ANDERSON", 2390, 99), ("ANDREWS", 395, 11), ("KENT", 4, 0), ("JIM HOGG", 6, 1)):
        _reference(session, county, ev, mail)

    anderson = _log(session, "ANDERSON", 2489, 2418, "ESCALATED", diagnosis=["missing_vuids"],
                    diagnosis_details={"missing_vuids": {"count": 71, "vuids": ANDERSON_MISSING}},
                    strategies_tried=["refetch_statewide", "fill_gaps"], attempts_count=2,
                    notes="Statewide file lacks 71 mail ballots")
    session.add_all([
        ReconciliationAttempt(log_id=anderson.id, attempt_no=1, strategy="refetch_statewide", outcome="no_change",
                              before_actual=2418, after_actual=2418, before_accuracy_pct=97.1475,
                              after_accuracy_pct=97.1475, message="same snapshot"),
        ReconciliationAttempt(log_id=anderson.id, attempt_no=2, strategy="fill_gaps", outcome="error",
                              before_actual=2418, after_actual=2418, before_accuracy_pct=97.1475,
                              after_accuracy_pct=97.1475, message="=HYPERLINK(\"http://x\")"),
    ])
    # ANDREWS: an earlier escalated run, then a resolving one (the newest decides the status).
    _log(session, "ANDREWS", 406, 399, "IN_PROGRESS")
    andrews = _log(session, "ANDREWS", 406, 399, "RESOLVED", diagnosis=["missing_vuids"],
                   strategies_tried=["fill_gaps"], strategy_succeeded="fill_gaps", attempts_count=1,
                   final_accuracy_pct=100.0)
    fix = Fix(strategy="fill_gaps", county="ANDREWS", election_date=ELECTION, party=PARTY, log_id=andrews.id,
              created_by="engine", summary="inserted 7 county-sourced records")
    session.add(fix)
    session.flush()
    session.add(FixAction(fix_id=fix.id, action="insert", table_name="turnout_record", vuid="0023000099"))
    session.add(ReconciliationAttempt(log_id=andrews.id, attempt_no=1, strategy="fill_gaps", outcome="resolved",
                                      before_actual=399, after_actual=406, before_accuracy_pct=98.2759,
                                      after_accuracy_pct=100.0, fix_id=fix.id, message="7 inserted"))
    kent = ReconciliationLog(county="KENT", election_date=ELECTION, party=PARTY, trigger_type="COUNTY_UPLOAD",
                             expected_total=4, actual_total=4, discrepancy=0, discrepancy_pct=0.0, status="RESOLVED")
    session.add(kent)
    hogg = _log(session, "JIM HOGG", 7, 6, "ESCALATED", diagnosis=["unexplained"], attempts_count=0)
    session.add(ManualOverride(county="JIM HOGG", election_date=ELECTION, party=PARTY, status="RESOLVED",
                               reason="-1 late mail ballot confirmed by phone", created_by="admin.ruiz"))
    session.add(ManualOverride(county="KENT", election_date=ELECTION, party=PARTY, status="RESOLVED",
                               reason="revoked one", created_by="admin.ruiz", revoked_at=dt.datetime(2024, 11, 6)))
    record_event(session, "override", "JIM HOGG override", user="admin.ruiz", role="admin")
    session.flush()
    return {"anderson": anderson.id, "andrews": andrews.id, "hogg": hogg.id, "kent": kent.id, "fix": fix.id}
