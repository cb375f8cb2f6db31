"""The words users read for statuses, display states, diagnoses, attempt outcomes and strategies: one table for
the GUI, the CLI's human output and the reports. Stored values, the CLI's JSON and the CSV/XLSX data columns
keep the codes; only text for people goes through here.

Strategies are the exception by design: each strategy declares its own ``label`` in the plugin contract
(``engine/types.py`` ``Strategy``), and a strategy an office installs as a separate package brings its own.
Writing those labels here as well would be a second copy that a new plugin could not extend, and domain may
not import the strategies. So the declared labels stay the only source: the strategy registry hands them out
(``turnout_desktop.strategies.declared_labels()``, a name -> label mapping), the GUI and the CLI get that mapping
from ``services/labels.py`` and pass it to ``strategy_label`` below, and the report service passes it to the
report builder (``reports/build.py`` ``build_report(strategy_labels=...)``), which cannot import the strategies
either. The log keeps the stable names, so a label can be reworded without touching stored rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from turnout_desktop.domain.diagnosis import DiagnosisCode
from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.domain.status import AttemptOutcome, Status

# Keyed by the enums' members, read with plain stored strings (a StrEnum member equals its value).
STATUS_LABELS: Mapping[str, str] = {
    Status.RESOLVED: "Resolved",
    Status.IN_PROGRESS: "In progress",
    Status.ESCALATED: "Escalated",
    Status.FAILED: "Failed",
    Status.INTERRUPTED: "Interrupted",
    Status.CHECKED: "Checked",
    Status.OVERRIDDEN: "Overridden",
    Status.PENDING: "Not reconciled yet",
    Status.NOT_RECONCILED: "Not reconciled yet",
}

DISPLAY_LABELS: Mapping[str, str] = {
    DisplayStatus.VERIFIED: "Verified",
    DisplayStatus.WITHIN: "Within 1%",
    DisplayStatus.IN_PROGRESS: STATUS_LABELS[Status.IN_PROGRESS],
    DisplayStatus.ESCALATED: STATUS_LABELS[Status.ESCALATED],
    DisplayStatus.FAILED: STATUS_LABELS[Status.FAILED],
    DisplayStatus.OVERRIDDEN: STATUS_LABELS[Status.OVERRIDDEN],
    DisplayStatus.NO_UPLOAD: "No upload yet",
}

DIAGNOSIS_LABELS: Mapping[str, str] = {
    DiagnosisCode.MISSING_VUIDS: "Votes missing from the database",
    DiagnosisCode.EXTRA_VUIDS: "Extra votes in the database",
    DiagnosisCode.DUPLICATE_RECORDS: "Duplicate records",
    DiagnosisCode.WRONG_DISTRICT: "Wrong county or district",
    DiagnosisCode.DATA_FORMAT: "Values the upload could not read as sent",
    DiagnosisCode.TIMING: "County data newer than the statewide data",
    DiagnosisCode.UNEXPLAINED: "No cause found",
}

OUTCOME_LABELS: Mapping[str, str] = {
    AttemptOutcome.IMPROVED: "Improved",
    AttemptOutcome.RESOLVED: "Resolved",
    AttemptOutcome.NO_CHANGE: "No change",
    AttemptOutcome.WORSE: "Worse (rolled back)",
    AttemptOutcome.SKIPPED: "Skipped",
    AttemptOutcome.ERROR: "Error",
    AttemptOutcome.SOURCE_UNAVAILABLE: "Source unavailable",
}

NO_DIAGNOSIS = "none recorded"


def status_label(status: str | None) -> str:
    """``Escalated`` for ``ESCALATED``; a value this table does not know is shown as it is."""
    if not status:
        return DISPLAY_LABELS[DisplayStatus.NO_UPLOAD]
    return STATUS_LABELS.get(status, status)


def display_label(category: str | None) -> str:
    """``Within 1%`` for ``within``; no category is a county with no upload yet."""
    if not category:
        return DISPLAY_LABELS[DisplayStatus.NO_UPLOAD]
    return DISPLAY_LABELS.get(category, category)


def status_text(status: str | None, accuracy_pct: float | Decimal | None, *, overridden: bool = False) -> str:
    """What a status cell says: the word of the row's display state (the state its colour shows).

    Verified and within are told apart by the accuracy, as the colours are. Every unfinished state shares
    one colour but keeps its own word (``Interrupted``, ``Not reconciled yet``), so nothing reads "in
    progress" that is not running. ``overridden``: an admin's override is in force over the computed status.
    """
    category = status_category(Status.OVERRIDDEN if overridden else status, accuracy_pct)
    if category is DisplayStatus.IN_PROGRESS and status:
        return status_label(status)
    return DISPLAY_LABELS[category]


def diagnosis_label(code: str) -> str:
    """``Duplicate records`` for ``duplicate_records``; an unknown code (an older database's) as it is."""
    return DIAGNOSIS_LABELS.get(code, code)


def diagnoses_text(codes: Iterable[str] | None) -> str:
    """The diagnosis of a run in words, codes in their stored order; ``none recorded`` for none."""
    labels = [diagnosis_label(str(code)) for code in codes or ()]
    return ", ".join(labels) if labels else NO_DIAGNOSIS


def outcome_label(outcome: str | None) -> str:
    """``No change`` for ``no_change``; an unknown outcome as it is."""
    return OUTCOME_LABELS.get(outcome, outcome) if outcome else ""


def strategy_label(name: str | None, declared: Mapping[str, str]) -> str:
    """The label a strategy declares (``declared``: the registry's name -> label mapping, see the docstring).

    A name no installed strategy declares (a plugin removed since the run) is shown as it was logged.
    """
    if not name:
        return ""
    return declared.get(name) or name

