"""The tray's check changes count a county in trouble by domain/status.py PROBLEM_STATUSES."""

from __future__ import annotations

from turnout_desktop.gui.check_changes import check_changes, counties_in_trouble


class Row:
    def __init__(self, county: str, status: str) -> None:
        self.county, self.status = county, status


def test_the_tray_counts_a_county_in_trouble_by_the_problem_statuses():
    before = [Row("KING", "RESOLVED"), Row("ANDREWS", "FAILED")]
    after = [Row("KING", "ESCALATED"), Row("ANDREWS", "RESOLVED")]
    assert counties_in_trouble(after) == ({"KING", "ANDREWS"}, {"KING"})
    changes = check_changes(before, after)
    assert (changes.escalated, changes.healed) == (("KING",), ("ANDREWS",))
