"""What a person should do next about an escalation, per diagnosis: the escalation dialog's recommended step.

The names of the codes themselves (statuses, diagnoses, ...) are in ``domain/labels.py``; this module holds only
the advice sentences. ``gui/escalation_dialog.py`` ``recommended_next_step`` picks one: the remedy of the first
diagnosis (in ``ESCALATION_ADVICE`` order) that has one, otherwise by which side holds more votes.
"""

from __future__ import annotations

from collections.abc import Mapping

from turnout_desktop.domain.diagnosis import DiagnosisCode

ESCALATION_ADVICE: Mapping[str, str] = {
    DiagnosisCode.WRONG_DISTRICT: "Import the current precinct-to-district file, then force a re-check.",
    DiagnosisCode.DATA_FORMAT: ("Ask the county to re-export the file as .xlsx with VUIDs stored as text, "
                                "then re-check."),
}
ADVICE_DATABASE_HOLDS_MORE = ("The database holds more votes than the county reported: contact the county to confirm "
                              "its total, or accept with a reason if the county count is known to be late.")
ADVICE_COUNTY_REPORTS_MORE = "The county reports votes the database does not have: check the statewide import."
ADVICE_STATEWIDE_BEHIND = " The statewide feed may be behind; re-check after the next import."
ADVICE_REVIEW_EVIDENCE = "Review the evidence; override only with a written reason."
