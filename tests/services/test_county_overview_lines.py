"""The county overview lines the window lists (services/county_overview.py): service rows, no-upload lines for
the other counties, display state, certification lock and order, all without Qt."""

from __future__ import annotations

import dataclasses

import pytest

from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.domain.labels import display_label
from turnout_desktop.services.county_overview import OverviewLine, no_upload_line, overview_lines
from turnout_desktop.services.reconciliation_results import CountyOverviewRow


def overview_row(county: str, party: str, status: str, accuracy: float, last_log_id: int) -> CountyOverviewRow:
    return CountyOverviewRow(
        county=county, party=party, expected_total=42, actual_total=40, accuracy_pct=accuracy, confirmed_total=38,
        confirmed_accuracy_pct=90.48, status=status, public=False, public_message="Under review",
        public_level="warning", certification="none", last_log_id=last_log_id,
        last_reconciled_at="2026-03-04T10:00:00", attempts_count=3, current_strategy="B",
        by_method={"early-voting": {"expected": 42, "actual": 40}})


KENT_REP = overview_row("KENT", "REP", "ESCALATED", 95.24, 7)
KENT_DEM = overview_row("KENT", "DEM", "RESOLVED", 100.0, 8)
KING_REP = overview_row("KING", "REP", "RESOLVED", 99.5, 9)


def test_every_row_field_is_carried_with_its_display_state():
    [dem, rep] = [line for line in overview_lines([KENT_REP, KENT_DEM], ["KENT"]) if line.county == "KENT"]
    for row, line in ((KENT_DEM, dem), (KENT_REP, rep)):
        for item in dataclasses.fields(CountyOverviewRow):
            assert getattr(line, item.name) == getattr(row, item.name), item.name
    assert (dem.category, rep.category) == (DisplayStatus.VERIFIED, DisplayStatus.ESCALATED)
    assert overview_lines([KING_REP], ["KING"])[0].category == DisplayStatus.WITHIN


def test_counties_without_rows_get_a_no_upload_line_with_no_figures():
    lines = overview_lines([KENT_REP], ["LOVING", "KENT", "ANDERSON"])
    assert [(line.county, line.party) for line in lines] == [("ANDERSON", None), ("KENT", "REP"), ("LOVING", None)]
    loving = lines[2]
    assert loving == no_upload_line("LOVING")
    assert loving.category == DisplayStatus.NO_UPLOAD
    assert loving.public_message == display_label(DisplayStatus.NO_UPLOAD)
    figures = [item.name for item in dataclasses.fields(OverviewLine)
               if item.name not in ("county", "category", "certified", "public_message")]
    assert all(getattr(loving, name) is None for name in figures)


def test_all_254_counties_by_default_sorted_by_county_then_party():
    lines = overview_lines([KING_REP, KENT_REP, KENT_DEM])
    assert len(lines) == 254 - 2 + 3
    assert [line.county for line in lines] == sorted(line.county for line in lines)
    kent = [line.party for line in lines if line.county == "KENT"]
    assert kent == ["DEM", "REP"]
    assert sum(1 for line in lines if line.category == DisplayStatus.NO_UPLOAD) == 252


def test_certified_counties_and_the_whole_election_are_locked():
    lines = {(line.county, line.party): line.certified
             for line in overview_lines([KENT_REP, KING_REP], ["KENT", "KING", "LOVING"], certified=("KENT", "LOVING"))}
    assert lines == {("KENT", "REP"): True, ("KING", "REP"): False, ("LOVING", None): True}
    assert all(line.certified for line in overview_lines([KENT_REP], ["KENT", "LOVING"], certified=(None,)))
    assert not any(line.certified for line in overview_lines([KENT_REP], ["KENT", "LOVING"]))


def test_lines_are_frozen_and_returned_as_a_tuple():
    line = no_upload_line("KENT")
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.county = "KING"  # type: ignore[misc]
    assert isinstance(overview_lines([], ["KENT"]), tuple)
