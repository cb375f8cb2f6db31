"""Every status, display state, attempt outcome and diagnosis code the code can produce has a user-facing label,
and every label reads as words, never as the code it stands for (domain/labels.py)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import user_facing_codes

from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.domain.labels import (
    CHECK_RESULT_LABELS,
    COLUMN_LABELS,
    DIAGNOSIS_LABELS,
    DISPLAY_LABELS,
    EVIDENCE_KIND_LABELS,
    FIELD_SOURCE_LABELS,
    METHOD_LABELS,
    OUTCOME_LABELS,
    REVIEW_LABELS,
    ROW_KIND_LABELS,
    STATUS_LABELS,
    TRIGGER_LABELS,
    column_label,
    diagnoses_text,
    diagnosis_label,
    evidence_label,
    field_value_text,
    method_label,
    outcome_label,
    review_label,
    status_label,
    status_text,
    strategy_label,
    trigger_label,
)
from turnout_desktop.domain.status import AttemptOutcome, Status
from turnout_desktop.engine.types import DIAGNOSIS_CODES
from turnout_desktop.services.labels import strategy_labels
from turnout_desktop.strategies import default_strategies

HANDLED_CODES = tuple(code for strategy in default_strategies() for code in strategy.handles)
ALL_CODES = {*Status, *DisplayStatus, *AttemptOutcome, *DIAGNOSIS_CODES,
             *(strategy.name for strategy in default_strategies())}


def test_every_status_display_state_and_outcome_has_a_label() -> None:
    assert set(STATUS_LABELS) == set(Status)
    assert set(DISPLAY_LABELS) == set(DisplayStatus)
    # The engine writes attempt outcomes only as AttemptOutcome members (mypy checks engine/reconcile_log.py).
    assert set(OUTCOME_LABELS) == set(AttemptOutcome)


def test_every_diagnosis_code_the_engine_or_a_strategy_names_has_a_label() -> None:
    # DIAGNOSIS_CODES is what engine/diagnose.py filters every diagnosis through, and what the loop logs.
    assert DIAGNOSIS_CODES and set(DIAGNOSIS_CODES) | set(HANDLED_CODES) <= set(DIAGNOSIS_LABELS)
    assert [diagnosis_label(code) for code in DIAGNOSIS_CODES] == [DIAGNOSIS_LABELS[c] for c in DIAGNOSIS_CODES]


@pytest.mark.parametrize("label", [*STATUS_LABELS.values(), *DISPLAY_LABELS.values(), *OUTCOME_LABELS.values(),
                                   *DIAGNOSIS_LABELS.values(), *strategy_labels().values()])
def test_labels_are_words_not_codes(label: str) -> None:
    assert label not in ALL_CODES  # "Escalated" for ESCALATED and escalated is fine; either code is not
    assert "_" not in label and label[0].isupper() and not label.isupper(), label


def test_statuses_and_display_states_share_their_words() -> None:
    """The overview's "Escalated" and the activity table's "Escalated" come from one entry."""
    for status, state in ((Status.ESCALATED, DisplayStatus.ESCALATED), (Status.FAILED, DisplayStatus.FAILED),
                          (Status.IN_PROGRESS, DisplayStatus.IN_PROGRESS),
                          (Status.OVERRIDDEN, DisplayStatus.OVERRIDDEN)):
        assert status_label(status) == DISPLAY_LABELS[state]


def test_status_text_follows_the_display_rule() -> None:
    assert status_text("RESOLVED", 99.95) == "Verified" == status_text("RESOLVED", None)
    assert status_text("RESOLVED", 99.2) == "Within 1%"
    assert status_text("ESCALATED", 40.0) == "Escalated"
    assert status_text("ESCALATED", 40.0, overridden=True) == "Overridden"
    assert status_text("OVERRIDDEN", None) == "Overridden"
    assert status_text("IN_PROGRESS", 80.0) == "In progress"
    assert status_text("INTERRUPTED", 80.0) == "Interrupted"  # in progress by colour, not by word
    assert status_text("PENDING", None) == status_text("NOT_RECONCILED", None) == "Not reconciled yet"
    assert status_text(None, None) == "No upload yet"
    for status in Status:
        category = status_category(status, 100.0)
        text = status_text(status, 100.0)
        assert text == DISPLAY_LABELS[category] or (category is DisplayStatus.IN_PROGRESS
                                                    and text == STATUS_LABELS[status])


def test_unknown_values_are_shown_as_they_are() -> None:
    """An older database may hold a value this version does not know: shown, not hidden or crashed on."""
    assert status_label("ARCHIVED") == "ARCHIVED"
    assert diagnosis_label("old_code") == "old_code"
    assert outcome_label("partial") == "partial" and outcome_label(None) == ""
    assert diagnoses_text(["timing", "old_code"]) == "County data newer than the statewide data, old_code"
    assert diagnoses_text([]) == diagnoses_text(None) == "none recorded"


def test_strategy_labels_are_the_ones_the_strategies_declare() -> None:
    declared = strategy_labels()
    strategies = default_strategies()
    assert len(strategies) >= 6
    for strategy in strategies:
        assert strategy_label(strategy.name, declared) == strategy.label != strategy.name
    assert strategy_label("manual_review", declared) == "Manual review"
    assert strategy_label("removed_plugin", declared) == "removed_plugin"
    assert strategy_label(None, declared) == ""


# No internal code reaches a person: every code people could otherwise read has its words in the one label table.
@pytest.mark.parametrize(("codes", "table"), [
    (user_facing_codes.TRIGGER_CODES, TRIGGER_LABELS), (user_facing_codes.REVIEW_STATES, REVIEW_LABELS),
    (user_facing_codes.METHOD_CODES, METHOD_LABELS), (user_facing_codes.EVIDENCE_KINDS, EVIDENCE_KIND_LABELS),
    (user_facing_codes.ROW_KINDS, ROW_KIND_LABELS), (user_facing_codes.FIELD_SOURCES, FIELD_SOURCE_LABELS),
    (user_facing_codes.CHECK_RESULTS, CHECK_RESULT_LABELS), (user_facing_codes.CLI_COLUMNS, COLUMN_LABELS),
], ids=["triggers", "review states", "methods", "evidence kinds", "preview row kinds", "field sources",
        "check results", "CLI table columns"])
def test_every_code_people_read_has_words(codes: tuple[str, ...], table: Mapping[str, str]) -> None:
    assert codes and set(codes) <= set(table), sorted(set(codes) - set(table))
    for code in codes:
        label = table[code]
        assert label not in user_facing_codes.ALL_CODES and not user_facing_codes.leaked_codes(label), (code, label)
        assert "_" not in label, label
        # a field source follows the field's name ("Voting method  from the sheet name: Mail-in")
        assert label[0].isupper() or table is FIELD_SOURCE_LABELS, label


def test_label_functions_use_the_table() -> None:
    assert [trigger_label(code) for code in user_facing_codes.TRIGGER_CODES] == [
        TRIGGER_LABELS[code] for code in user_facing_codes.TRIGGER_CODES]
    assert [review_label(state) for state in user_facing_codes.REVIEW_STATES] == ["Investigating", "Resolved",
                                                                                  "Won't fix"]
    assert evidence_label("county_fallback") == EVIDENCE_KIND_LABELS["county_fallback"]
    assert evidence_label("missing_vuids") == DIAGNOSIS_LABELS["missing_vuids"]  # a diagnosis code as evidence kind
    assert evidence_label("old_kind") == "old_kind" and evidence_label(None) == ""
    assert [column_label(c) for c in ("final_accuracy_pct", "trigger_type")] == ["Accuracy", "Trigger"]
    assert field_value_text("voting_method", "mail-in") == "Mail-in"
    assert field_value_text("party", "DEM") == "DEM" and field_value_text("voting_method", "curbside") == "curbside"


def test_leaked_codes_finds_a_code_and_passes_its_words() -> None:
    """The leak check the GUI, CLI and PDF tests rely on can fail."""
    assert user_facing_codes.leaked_codes("Started by AUTO_CHECK; review: wont-fix") == ["AUTO_CHECK", "wont-fix"]
    assert user_facing_codes.leaked_codes("Method: early-voting, Problem: missing_vuids") == [
        "early-voting", "missing_vuids"]
    words = [TRIGGER_LABELS["AUTO_CHECK"], review_label("wont-fix"), method_label("early-voting"),
             DIAGNOSIS_LABELS["missing_vuids"], *COLUMN_LABELS.values()]
    assert user_facing_codes.leaked_codes(" ".join(words)) == []
