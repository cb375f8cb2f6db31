"""Every status, display state, attempt outcome and diagnosis code the code can produce has a user-facing label,
and every label reads as words, never as the code it stands for (domain/labels.py)."""

from __future__ import annotations

import pytest

from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.domain.labels import (
    DIAGNOSIS_LABELS,
    DISPLAY_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    diagnoses_text,
    diagnosis_label,
    outcome_label,
    status_label,
    status_text,
    strategy_label,
)
from turnout_desktop.domain.status import AttemptOutcome, Status
from turnout_desktop.engine import reconcile_log
from turnout_desktop.engine.types import DIAGNOSIS_CODES
from turnout_desktop.services.labels import strategy_labels
from turnout_desktop.strategies import default_strategies

ENGINE_OUTCOMES = tuple(value for name, value in vars(reconcile_log).items() if name.startswith("OUTCOME_"))
HANDLED_CODES = tuple(code for strategy in default_strategies() for code in strategy.handles)
ALL_CODES = {*Status, *DisplayStatus, *AttemptOutcome, *DIAGNOSIS_CODES,
             *(strategy.name for strategy in default_strategies())}


def test_every_status_display_state_and_outcome_has_a_label() -> None:
    assert set(STATUS_LABELS) == set(Status)
    assert set(DISPLAY_LABELS) == set(DisplayStatus)
    assert ENGINE_OUTCOMES and set(ENGINE_OUTCOMES) <= set(OUTCOME_LABELS) == set(AttemptOutcome)


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
