"""Timing needs evidence: newer county data, not merely an upload made after the statewide snapshot."""

from __future__ import annotations

import datetime as dt

import pytest
from reconciliation_rows import EV, MAIL, add_records, add_reference, add_roster, add_statewide_file, vuid

from turnout_desktop.db.session import transaction
from turnout_desktop.engine.compare import compare
from turnout_desktop.engine.diagnose import diagnose

pytestmark = pytest.mark.usefixtures("evidence_mode")  # narrow and wide evidence queries

SNAPSHOT = dt.datetime(2026, 2, 24, 23, 59, 59)
AFTER_SNAPSHOT = dt.datetime(2026, 3, 2, 9)


def _codes(engine, county: str):
    with transaction(engine) as session:
        (comparison,) = compare(session, dt.date(2026, 3, 3), county=county, update=False)
        return diagnose(session, comparison)


def test_a_summary_newer_than_the_snapshot_is_not_timing(db_engine):
    add_statewide_file(db_engine, SNAPSHOT)
    add_reference(db_engine, "Terrell", "DEM", {EV: 40, MAIL: 20})
    add_roster(db_engine, "Terrell", [], kind="summary", submitted_at=AFTER_SNAPSHOT)
    add_records(db_engine, [(vuid(i), "Terrell", "DEM", EV) for i in range(6)])
    found = _codes(db_engine, "Terrell")
    assert found.upload_kind == "summary"
    assert found.codes == ["unexplained"]


def test_a_roster_with_votes_after_the_snapshot_is_timing(db_engine):
    # Statewide records carry no vote dates here: the snapshot's as-of day is the comparison point.
    add_statewide_file(db_engine, SNAPSHOT)
    add_reference(db_engine, "Kenedy", "DEM", {EV: 3})
    add_roster(db_engine, "Kenedy", [(vuid(1), "DEM", EV), (vuid(2), "DEM", EV), (vuid(3), "DEM", EV)],
               vote_date=dt.date(2026, 2, 26), submitted_at=AFTER_SNAPSHOT)
    add_records(db_engine, [(vuid(1), "Kenedy", "DEM", EV), (vuid(2), "Kenedy", "DEM", EV)])
    found = _codes(db_engine, "Kenedy")
    assert found.codes == ["missing_vuids", "timing"]
    assert found.details["timing"]["county_latest_vote_date"] == "2026-02-26"
    assert found.details["timing"]["statewide_latest_vote_date"] == "2026-02-24"


def test_a_roster_dated_before_the_snapshot_is_not_timing(db_engine):
    add_statewide_file(db_engine, SNAPSHOT)
    add_reference(db_engine, "Borden", "DEM", {EV: 2})
    add_roster(db_engine, "Borden", [(vuid(1), "DEM", EV), (vuid(2), "DEM", EV)],
               vote_date=dt.date(2026, 2, 24), submitted_at=AFTER_SNAPSHOT)
    add_records(db_engine, [(vuid(1), "Borden", "DEM", EV)])
    assert _codes(db_engine, "Borden").codes == ["missing_vuids"]


def test_an_undated_roster_is_timing_only_when_voters_are_missing(db_engine):
    add_statewide_file(db_engine, SNAPSHOT)
    # Glasscock: statewide has more voters than the roster (extras); a newer snapshot cannot fix that.
    add_reference(db_engine, "Glasscock", "DEM", {EV: 1})
    add_roster(db_engine, "Glasscock", [(vuid(1), "DEM", EV)], submitted_at=AFTER_SNAPSHOT)
    add_records(db_engine, [(vuid(1), "Glasscock", "DEM", EV), (vuid(2), "Glasscock", "DEM", EV)])
    assert _codes(db_engine, "Glasscock").codes == ["extra_vuids"]
    # Loving: a roster voter the snapshot lacks, uploaded after it: timing, with the snapshot as evidence.
    add_reference(db_engine, "Loving", "DEM", {EV: 1})
    add_roster(db_engine, "Loving", [(vuid(5), "DEM", EV)], submitted_at=AFTER_SNAPSHOT)
    found = _codes(db_engine, "Loving")
    assert found.codes == ["missing_vuids", "timing"]
    assert found.details["timing"]["statewide_as_of"] == SNAPSHOT.isoformat()
