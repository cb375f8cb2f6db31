"""The escalation dialog's advice (domain/advice.py) and the inbox's "last touched" words (domain/labels.py) are
looked up by the exact diagnosis code and decision event the services store."""

from __future__ import annotations

import pytest
from service_records import record

from turnout_desktop.domain.advice import ESCALATION_ADVICE
from turnout_desktop.domain.decisions import DecisionEvent, ReviewState
from turnout_desktop.domain.diagnosis import DiagnosisCode
from turnout_desktop.domain.labels import DECISION_EVENT_LABELS
from turnout_desktop.gui.escalation_dialog import REVIEW_STATES, recommended_next_step
from turnout_desktop.gui.escalation_inbox import touched_text
from turnout_desktop.services.admin_decisions import InboxRow
from turnout_desktop.services.reconciliation_results import LogEntry

DISTRICT_ADVICE = "Import the current precinct-to-district file, then force a re-check."
FORMAT_ADVICE = "Ask the county to re-export the file as .xlsx with VUIDs stored as text, then re-check."


@pytest.mark.parametrize(("codes", "discrepancy", "tried", "advice"), [
    ((DiagnosisCode.WRONG_DISTRICT,), 5, (), DISTRICT_ADVICE),
    ((DiagnosisCode.DATA_FORMAT,), -5, (), FORMAT_ADVICE),
    ((DiagnosisCode.DATA_FORMAT, DiagnosisCode.WRONG_DISTRICT), 0, (), DISTRICT_ADVICE),  # district first
    ((DiagnosisCode.MISSING_VUIDS,), 3, (), "The database holds more votes than the county reported: contact the "
     "county to confirm its total, or accept with a reason if the county count is known to be late."),
    ((DiagnosisCode.MISSING_VUIDS,), -3, (), "The county reports votes the database does not have: check the "
     "statewide import."),
    ((DiagnosisCode.TIMING,), -3, ("refetch_statewide",), "The county reports votes the database does not have: "
     "check the statewide import. The statewide feed may be behind; re-check after the next import."),
    ((DiagnosisCode.UNEXPLAINED,), 0, (), "Review the evidence; override only with a written reason."),
])
def test_the_advice_follows_the_stored_diagnosis_codes(codes, discrepancy, tried, advice):
    entry = record(LogEntry, diagnosis=tuple(str(code) for code in codes), discrepancy=discrepancy,
                   strategies_tried=tried)
    assert recommended_next_step(entry) == advice


def test_a_code_is_matched_whole_not_by_a_word_inside_it():
    """Only the engine's codes carry advice: a text that merely contains "district" or "format" does not."""
    assert set(ESCALATION_ADVICE) <= set(DiagnosisCode)
    for text in ("district", "formatting", "encoding"):
        assert recommended_next_step(record(LogEntry, diagnosis=(text,), discrepancy=0)) == (
            "Review the evidence; override only with a written reason.")


def test_the_dialog_offers_every_review_state_by_its_stored_value():
    assert REVIEW_STATES == (("investigating", "Investigating"), ("resolved", "Resolved"), ("wont-fix", "Won't fix"))
    assert [type(value) for value, _label in REVIEW_STATES] == [str] * len(ReviewState)  # Qt compares plain text


@pytest.mark.parametrize(("event", "word"), [
    (DecisionEvent.ESCALATION_REVIEWED, "reviewed"), (DecisionEvent.MANUAL_OVERRIDE, "overrode"),
    (DecisionEvent.OVERRIDE_REVOKED, "revoked"), ("some_future_event", "some_future_event"),
])
def test_the_inbox_names_the_last_decision_in_words(event, word):
    row = record(InboxRow, last_touched_by="ada", last_action=str(event), last_touched_at=None)
    assert touched_text(row) == f"ada {word}, "
    assert set(DECISION_EVENT_LABELS) == set(DecisionEvent)
    assert touched_text(record(InboxRow, last_touched_by=None)) == "nobody yet"
