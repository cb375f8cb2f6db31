"""``log_detail`` gives the details dialog typed evidence rows (``EvidenceRow``), read from the stored JSON as
the diagnosis wrote it, old key names included; the stored details stay as they were."""

from __future__ import annotations

from reconciliation_rows import ELECTION, EV, add_records, add_reference, add_roster, vuid
from sqlalchemy import Engine

from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.diagnosis import DiagnosisCode
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status
from turnout_desktop.services import reconciliation
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.reconciliation_results import EvidenceRow, FailingVuid
from turnout_desktop.services.reconciliation_views import evidence_rows

STORED = {"evidence": [
    {"vuid": "1000000001", "kind": "in_other_county", "row_no": 4, "source_file": "kent.xlsx", "precinct": "2"},
    {"vuid": "1000000002", "code": "duplicate_records", "row": 9, "file": "kent.csv"},
    {"vuid": "1000000003", "reason": "county votes dated after the latest statewide vote date", "row_no": None,
     "row": 3},
    {"vuid": "1000000004", "voting_method": "mail-in"},
    {"vuid": "1000000005"},
]}


def _ctx(engine: Engine) -> AppContext:
    return AppContext(engine=engine, user="tester", role="admin")


def test_stored_evidence_rows_read_every_key_name_the_diagnosis_used() -> None:
    assert evidence_rows((), STORED) == (
        EvidenceRow(vuid="1000000001", kind="in_other_county", reason=None, row_no=4, source_file="kent.xlsx",
                    precinct="2"),
        EvidenceRow(vuid="1000000002", kind="duplicate_records", reason=None, row_no=9, source_file="kent.csv",
                    precinct=None),
        # ``row_no`` stored, even empty, wins over the older ``row``
        EvidenceRow(vuid="1000000003", kind=None, reason="county votes dated after the latest statewide vote date",
                    row_no=None, source_file=None, precinct=None),
        EvidenceRow(vuid="1000000004", kind=DiagnosisCode.MISSING_VUIDS, reason=None, row_no=None,
                    source_file=None, precinct=None),
        EvidenceRow(vuid="1000000005", kind=None, reason=None, row_no=None, source_file=None, precinct=None),
    )
    assert evidence_rows((), {}) == () and evidence_rows((), {"evidence": None}) == ()


def test_failing_vuids_come_first_and_are_missing_votes() -> None:
    failing = (FailingVuid(vuid="1000000009", row_no=7, file="loving.csv", sheet=None, precinct="1",
                           voting_method="early-voting"),)
    assert evidence_rows(failing, STORED) == (
        EvidenceRow(vuid="1000000009", kind=DiagnosisCode.MISSING_VUIDS, reason=None, row_no=7,
                    source_file="loving.csv", precinct="1"),)


def test_log_detail_carries_the_evidence_of_its_stored_row(db_engine: Engine) -> None:
    add_reference(db_engine, "TRAVIS", "DEM", {EV: 3})
    add_roster(db_engine, "TRAVIS", [(vuid(i), "DEM", EV) for i in range(3)])
    add_records(db_engine, [(vuid(i), "TRAVIS", "DEM", EV) for i in range(2)])
    (run,) = reconciliation.reconcile(_ctx(db_engine), Scope(ELECTION, county="TRAVIS"), strategies=[])
    detail = reconciliation.log_detail(_ctx(db_engine), run.id)
    assert [row.vuid for row in detail.failing_vuids] == [vuid(2)]
    assert detail.evidence == evidence_rows(detail.failing_vuids, {})
    assert detail.evidence[0].kind == DiagnosisCode.MISSING_VUIDS and detail.evidence[0].row_no is not None

    with transaction(db_engine) as session:
        stored = ReconciliationLog(county="KENT", election_date=ELECTION, party="REP", trigger_type="MANUAL",
                                   status=Status.ESCALATED, attempts_count=0, strategies_tried=[],
                                   diagnosis=["wrong_district"], diagnosis_details=STORED)
        session.add(stored)
        session.flush()
        log_id = stored.id
    detail = reconciliation.log_detail(_ctx(db_engine), log_id)
    assert detail.failing_vuids == () and detail.evidence == evidence_rows((), STORED)
    assert detail.diagnosis_details == STORED  # what is stored is returned unchanged
