"""Step 1 (compare) and step 2 (diagnose) on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from reconciliation_rows import (
    ED,
    ELECTION,
    EV,
    MAIL,
    add_precinct,
    add_records,
    add_reference,
    add_roster,
    add_statewide_file,
    vuid,
)
from sqlalchemy import select

from turnout_desktop.db.models import CountyTurnoutReference
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.metrics import MethodCount
from turnout_desktop.engine.compare import compare
from turnout_desktop.engine.diagnose import diagnose, evidence_for_log

pytestmark = pytest.mark.usefixtures("evidence_mode")  # narrow and wide evidence queries


def test_compare_counts_every_county_and_stores_database_counts(db_engine):
    add_reference(db_engine, "Travis", "DEM", {EV: 3, ED: 1, MAIL: 0})
    add_reference(db_engine, "Loving", "REP", {EV: 0, ED: 2, MAIL: 1})
    add_records(db_engine, [(vuid(1), "Travis", "DEM", EV), (vuid(2), "Travis", "DEM", EV),
                            (vuid(3), "Travis", "DEM", ED), (vuid(4), "Loving", "REP", ED),
                            (vuid(5), "Loving", "REP", ED), (vuid(6), "Loving", "REP", MAIL),
                            (vuid(7), "Kenedy", "REP", ED)])  # Kenedy has no official counts
    with transaction(db_engine) as session:
        result = compare(session, ELECTION)
    assert [(c.county, c.party) for c in result] == [("Loving", "REP"), ("Travis", "DEM")]
    loving, travis = result
    assert loving.exact and loving.accuracy == Decimal(100)
    assert travis.by_method == {EV: MethodCount(3, 2), ED: MethodCount(1, 1), MAIL: MethodCount(0, 0)}
    assert (travis.expected_total, travis.actual_total, travis.discrepancy) == (4, 3, -1)
    assert travis.accuracy == Decimal(75)
    assert travis.counts_json() == {EV: {"expected": 3, "actual": 2}, ED: {"expected": 1, "actual": 1},
                                    MAIL: {"expected": 0, "actual": 0}}
    with transaction(db_engine) as session:
        stored = {(r.county, r.voting_method): (r.database_count, r.verified) for r in
                  session.execute(select(CountyTurnoutReference)).scalars()}
    assert stored[("Travis", "TOTAL")] == (3, False)
    assert stored[("Travis", EV)] == (2, False)
    assert stored[("Loving", "TOTAL")] == (3, True)
    assert stored[("Loving", MAIL)] == (1, True)


def test_gaps_that_cancel_between_methods_still_count(db_engine):
    add_reference(db_engine, "Travis", "DEM", {EV: 2, MAIL: 2})
    add_records(db_engine, [(vuid(i), "Travis", "DEM", EV) for i in range(3)] + [(vuid(9), "Travis", "DEM", MAIL)])
    with transaction(db_engine) as session:
        (travis,) = compare(session, ELECTION, county="Travis", update=False)
    assert travis.discrepancy == 0
    assert travis.accuracy == Decimal(50)  # |2-3| + |2-1| = 2 of 4


def test_removed_records_and_other_elections_do_not_count(db_engine):
    add_reference(db_engine, "Travis", "DEM", {EV: 1})
    add_records(db_engine, [(vuid(1), "Travis", "DEM", EV)])
    add_records(db_engine, [(vuid(2), "Travis", "DEM", EV)], removed_at=dt.datetime(2026, 3, 4))
    add_records(db_engine, [(vuid(3), "Travis", "DEM", EV)], election=dt.date(2024, 11, 5))
    with transaction(db_engine) as session:
        (travis,) = compare(session, ELECTION)
    assert travis.actual_total == 1 and travis.exact


def test_diagnose_missing_extra_duplicates_and_wrong_county(db_engine):
    add_reference(db_engine, "Travis", "DEM", {EV: 4, MAIL: 1})
    add_roster(db_engine, "Travis", [(vuid(1), "DEM", EV), (vuid(2), "DEM", EV), (vuid(3), "DEM", EV),
                                     (vuid(4), "DEM", EV), (vuid(5), "DEM", MAIL)])
    add_records(db_engine, [(vuid(1), "Travis", "DEM", EV), (vuid(2), "Travis", "DEM", EV),
                            (vuid(2), "Travis", "DEM", MAIL),  # duplicate voter
                            (vuid(3), "Hays", "DEM", EV),  # in the wrong county
                            (vuid(8), "Travis", "DEM", EV)])  # not on the county roster
    with transaction(db_engine) as session:
        (travis,) = compare(session, ELECTION, county="Travis")
        found = diagnose(session, travis)
    assert found.codes == ["missing_vuids", "extra_vuids", "duplicate_records", "wrong_district"]
    assert [row["vuid"] for row in found.details["missing_vuids"]["vuids"]] == [vuid(4), vuid(5)]
    assert found.details["missing_vuids"]["by_method"] == {EV: 1, MAIL: 1}
    assert [row["vuid"] for row in found.details["extra_vuids"]["records"]] == [vuid(8)]
    duplicates = found.details["duplicate_records"]
    assert duplicates["count"] == 1 and duplicates["surplus_records"] == 1
    assert [r["voting_method"] for r in duplicates["vuids"][0]["records"]] == [EV, MAIL]
    wrong = found.details["wrong_district"]["in_other_county"]
    assert [(r["vuid"], r["county"], r["should_be"]) for r in wrong] == [(vuid(3), "Hays", "Travis")]
    assert found.upload_kind == "roster"


def test_diagnose_claimed_fallback_and_district_mismatch(db_engine):
    add_reference(db_engine, "Hays", "DEM", {EV: 1})
    add_roster(db_engine, "Travis", [(vuid(3), "DEM", EV)])
    add_records(db_engine, [(vuid(3), "Hays", "DEM", EV)], county_fallback=True)
    add_records(db_engine, [(vuid(4), "Hays", "DEM", EV)], precinct="0101", district="SD-1")
    add_precinct(db_engine, "Hays", "0101", "SD-25")
    with transaction(db_engine) as session:
        (hays,) = compare(session, ELECTION, county="Hays")
        found = diagnose(session, hays)
    wrong = found.details["wrong_district"]
    assert [(r["vuid"], r["should_be"]) for r in wrong["claimed_by_other_county"]] == [(vuid(3), "Travis")]
    assert [r["vuid"] for r in wrong["county_fallback"]] == [vuid(3)]
    assert [(r["vuid"], r["district"], r["should_be"]) for r in wrong["district_mismatch"]] == [
        (vuid(4), "SD-1", "SD-25")]
    assert wrong["count"] == 3
    assert found.upload_kind == "summary"  # Hays sent no roster


def test_diagnose_data_format_and_timing_by_vote_date(db_engine):
    add_reference(db_engine, "Travis", "DEM", {EV: 2})
    problem = {"file": "t.csv", "sheet": "", "row": 3, "column": "VUID", "value": "1.00E+09",
               "code": "vuid_scientific_notation", "message": "refused", "blocking": False}
    add_roster(db_engine, "Travis", [(vuid(1), "DEM", EV), (None, "DEM", EV)], problems=[problem],
               problem_codes={1: "vuid_scientific_notation"}, vote_date=dt.date(2026, 2, 25))
    add_records(db_engine, [(vuid(1), "Travis", "DEM", EV)], vote_date=dt.date(2026, 2, 24))
    with transaction(db_engine) as session:
        (travis,) = compare(session, ELECTION)
        found = diagnose(session, travis)
    assert found.codes == ["data_format", "timing", "unexplained"]
    fmt = found.details["data_format"]
    assert (fmt["refused_rows"], fmt["repaired_rows"], fmt["problems"]) == (1, 0, [problem])
    assert fmt["rows"][0]["code"] == "vuid_scientific_notation" and fmt["rows"][0]["row_no"] == 3
    assert found.details["timing"]["county_latest_vote_date"] == "2026-02-25"
    assert found.details["timing"]["statewide_latest_vote_date"] == "2026-02-24"


def test_timing_without_dates_uses_the_snapshot_time(db_engine):
    add_reference(db_engine, "Travis", "DEM", {EV: 1})
    add_statewide_file(db_engine, dt.datetime(2026, 3, 1, 12))
    add_roster(db_engine, "Travis", [(vuid(1), "DEM", EV)], submitted_at=dt.datetime(2026, 3, 2, 9))
    with transaction(db_engine) as session:
        (travis,) = compare(session, ELECTION)
        found = diagnose(session, travis)
    assert found.codes == ["missing_vuids", "timing"]
    assert found.details["timing"]["statewide_as_of"] == "2026-03-01T12:00:00"


def test_summary_gap_is_unexplained_and_exact_match_has_no_codes(db_engine):
    add_reference(db_engine, "Loving", "REP", {ED: 5})
    add_reference(db_engine, "Kenedy", "REP", {ED: 1})
    add_roster(db_engine, "Loving", [], kind="summary")
    add_records(db_engine, [(vuid(1), "Loving", "REP", ED), (vuid(2), "Kenedy", "REP", ED)])
    with transaction(db_engine) as session:
        kenedy, loving = compare(session, ELECTION)
        assert diagnose(session, kenedy).codes == []
        found = diagnose(session, loving)
    assert found.upload_kind == "summary"
    assert found.codes == ["unexplained"]
    assert found.details["unexplained"]["gap"] == 4


def test_log_evidence_is_capped_but_details_are_complete(db_engine):
    add_reference(db_engine, "Travis", "DEM", {EV: 120})
    add_roster(db_engine, "Travis", [(vuid(i), "DEM", EV) for i in range(120)])
    with transaction(db_engine) as session:
        (travis,) = compare(session, ELECTION)
        found = diagnose(session, travis)
    assert len(found.details["missing_vuids"]["vuids"]) == 120
    capped = evidence_for_log(found.details)
    assert len(capped["missing_vuids"]["vuids"]) == 50
    assert capped["missing_vuids"]["vuids_truncated_from"] == 120
    assert capped["missing_vuids"]["count"] == 120


def test_one_walk_gives_the_active_and_the_statewide_counts(db_engine):
    """The dashboard's single GROUP BY agrees with the two it replaces (removed records, county sources)."""
    from turnout_desktop.engine import repository

    add_records(db_engine, [(vuid(1), "Travis", "DEM", EV), (vuid(2), "Travis", "DEM", EV),
                            (vuid(3), "Travis", "REP", ED)])
    add_records(db_engine, [(vuid(4), "Travis", "DEM", EV), (vuid(5), "Loving", "DEM", MAIL)], source="county")
    add_records(db_engine, [(vuid(6), "Travis", "DEM", EV)], removed_at=dt.datetime(2026, 3, 4))
    with transaction(db_engine) as session:
        active, statewide = repository.active_and_statewide_counts(session, ELECTION)
        assert active == repository.active_counts(session, ELECTION) == {
            ("Travis", "DEM", EV): 3, ("Travis", "REP", ED): 1, ("Loving", "DEM", MAIL): 1}
        assert statewide == {("Travis", "DEM", EV): 2, ("Travis", "REP", ED): 1}
        assert (repository.confirmed_counts(session, ELECTION, statewide_counts=statewide)
                == repository.confirmed_counts(session, ELECTION))
