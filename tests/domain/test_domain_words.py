"""Each word of the domain is written once: triggers, review states, decision events and the statuses that need a
person are enums or constants in domain/, and the label tables and status groups read them from there."""

from __future__ import annotations

from turnout_desktop.domain.decisions import DecisionEvent, ReviewState
from turnout_desktop.domain.display import DisplayStatus, StatusGroup, status_category, status_group
from turnout_desktop.domain.labels import REVIEW_LABELS, TRIGGER_LABELS, trigger_label
from turnout_desktop.domain.status import PROBLEM_STATUSES, Status, Trigger


def test_stored_values_never_change():
    assert [str(t) for t in Trigger] == ["COUNTY_UPLOAD", "AUTO_CHECK", "MANUAL"]
    assert [str(s) for s in ReviewState] == ["investigating", "resolved", "wont-fix"]
    assert [str(e) for e in DecisionEvent] == ["escalation_reviewed", "manual_override", "override_revoked"]
    assert PROBLEM_STATUSES == {"ESCALATED", "FAILED"}


def test_the_labels_are_keyed_by_the_enums():
    assert list(TRIGGER_LABELS) == list(Trigger) and list(REVIEW_LABELS) == list(ReviewState)
    assert trigger_label("AUTO_CHECK") == "Scheduled check"  # a stored plain string finds its member's words


def test_the_problem_group_is_the_problem_statuses():
    problem = {status for status in Status if status_group(status_category(status, None)) == StatusGroup.PROBLEM}
    assert problem == PROBLEM_STATUSES
    assert status_group(DisplayStatus.WITHIN) == StatusGroup.VERIFIED
