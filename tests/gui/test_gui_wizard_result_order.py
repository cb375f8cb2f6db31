"""The wizard's result page names the next step of the worst party by the one severity order the overview
sorts by (domain/display.py SEVERITY_ORDER): an escalated party comes before a failed one."""

from __future__ import annotations

import pytest
from service_records import record

from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.domain.labels import next_step
from turnout_desktop.domain.status import Status
from turnout_desktop.gui.wizard_result import overall_next_step
from turnout_desktop.services.submission_results import ReconcileRun


def runs(*statuses: str) -> tuple[ReconcileRun, ...]:
    return tuple(record(ReconcileRun, county="KING", party=f"P{i}", status=status, final_accuracy_pct=None)
                 for i, status in enumerate(statuses))


@pytest.mark.parametrize(("statuses", "worst"), [
    ((Status.FAILED, Status.ESCALATED), DisplayStatus.ESCALATED),
    ((Status.ESCALATED, Status.FAILED), DisplayStatus.ESCALATED),
    ((Status.RESOLVED, Status.FAILED), DisplayStatus.FAILED),
    ((Status.RESOLVED, Status.IN_PROGRESS), DisplayStatus.IN_PROGRESS),
    ((Status.RESOLVED,), DisplayStatus.VERIFIED),
])
def test_the_next_step_is_that_of_the_worst_party(statuses, worst):
    assert overall_next_step("stored", runs(*statuses)) == next_step(worst)


def test_escalated_outranks_failed_as_in_the_overview():
    assert overall_next_step("stored", runs(Status.FAILED, Status.ESCALATED)) == (
        "Escalated: check your roster; an administrator reviews the difference")
    assert overall_next_step("stored", ()) == next_step(DisplayStatus.IN_PROGRESS)
