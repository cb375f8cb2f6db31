"""What an auto-check changed, for the tray notice: counties in trouble by domain/status.py PROBLEM_STATUSES."""

from __future__ import annotations

from typing import NamedTuple

from turnout_desktop.services.check_changes import CheckChanges, check_changes, counties_in_trouble


class Row(NamedTuple):
    county: str
    status: str


class PartyRow(NamedTuple):
    county: str
    party: str
    status: str


def test_the_tray_counts_a_county_in_trouble_by_the_problem_statuses():
    before = [Row("KING", "RESOLVED"), Row("ANDREWS", "FAILED")]
    after = [Row("KING", "ESCALATED"), Row("ANDREWS", "RESOLVED")]
    assert counties_in_trouble(after) == ({"KING", "ANDREWS"}, {"KING"})
    changes = check_changes(before, after)
    assert (changes.escalated, changes.healed) == (("KING",), ("ANDREWS",))


def test_check_changes_names_counties_that_escalated_or_healed() -> None:
    before = [PartyRow("KENT", "DEM", "RESOLVED"), PartyRow("KENT", "REP", "ESCALATED"),
              PartyRow("KING", "DEM", "RESOLVED"), PartyRow("LOVING", "DEM", "FAILED"), PartyRow("*", "*", "CHECKED")]
    after = [PartyRow("KENT", "DEM", "RESOLVED"), PartyRow("KENT", "REP", "RESOLVED"),
             PartyRow("KING", "DEM", "ESCALATED"), PartyRow("MOTLEY", "REP", "ESCALATED"),
             PartyRow("*", "*", "ESCALATED")]
    # LOVING was not looked at this time: not judged. The "*" summary row is about no county.
    assert check_changes(before, after) == CheckChanges(escalated=("KING", "MOTLEY"), healed=("KENT",))
    assert not check_changes(after, after)
    assert check_changes([PartyRow("KENT", "DEM", "ESCALATED")],
                         [PartyRow("KENT", "DEM", "ESCALATED"), PartyRow("KENT", "REP", "RESOLVED")]) == CheckChanges()
