"""Strategy F: escalate to a person. Always applies, writes no data."""

from __future__ import annotations

from turnout_desktop.engine.types import Diagnosis, StrategyContext, StrategyResult


class ManualReview:
    """F: the last resort - a person must look at the evidence and contact the county."""

    name = "manual_review"
    letter = "F"
    label = "Manual review"
    handles: tuple[str, ...] = ()
    priority = 90
    escalates = True  # the loop runs it once when no fix is left, never as a fix

    def applies(self, diagnosis: Diagnosis) -> bool:
        return True

    def execute(self, context: StrategyContext) -> StrategyResult:
        diagnosis = context.diagnosis
        causes = ", ".join(diagnosis.codes) or "no named cause"
        message = (
            f"Escalated for manual review: {context.county} {context.party} expected {diagnosis.expected_total}, "
            f"database has {diagnosis.actual_total} (off by {diagnosis.discrepancy:+d}); causes: {causes}. "
            "Next step: review the evidence in the log entry, contact the county election office to confirm "
            "its official counts or re-upload, then mark the entry reviewed or record an override."
        )
        return StrategyResult(applied=True, message=message)
