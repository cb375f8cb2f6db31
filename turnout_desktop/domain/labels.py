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

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from turnout_desktop.domain.codes import VotingMethod
from turnout_desktop.domain.decisions import DecisionEvent, ReviewState
from turnout_desktop.domain.diagnosis import DiagnosisCode
from turnout_desktop.domain.display import DisplayStatus, StatusGroup, status_category
from turnout_desktop.domain.status import AttemptOutcome, Status, Trigger

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

# Voting methods (domain/codes.py VotingMethod) as people call them. A report's ``TOTAL`` row (the sum of
# the methods) is already a word and stays as it is.
METHOD_LABELS: Mapping[str, str] = {
    VotingMethod.EARLY_VOTING: "Early voting",
    VotingMethod.ELECTION_DAY: "Election day",
    VotingMethod.MAIL_IN: "Mail-in",
}


def method_label(method: str | None) -> str:
    """``Early voting`` for ``early-voting``; an unknown code (a row the upload could not read) as it is."""
    return METHOD_LABELS.get(method, method) if method else ""

# The mark that doubles a status colour (a status is never told by colour alone): GUI status cells show it.
STATUS_MARKS: Mapping[str, str] = {
    DisplayStatus.VERIFIED: "\N{CHECK MARK}",
    DisplayStatus.WITHIN: "\N{ALMOST EQUAL TO}",
    DisplayStatus.IN_PROGRESS: "\N{HORIZONTAL ELLIPSIS}",
    DisplayStatus.ESCALATED: "!",
    DisplayStatus.FAILED: "\N{MULTIPLICATION X}",
    DisplayStatus.OVERRIDDEN: "\N{LOWER RIGHT PENCIL}",
    DisplayStatus.NO_UPLOAD: "\N{EN DASH}",
}

# Upload fields (``ingest/interpret/mapping.py`` ROSTER_FIELDS) as people call them.
FIELD_LABELS: Mapping[str, str] = {
    "vuid": "VUID",
    "county": "County",
    "party": "Party",
    "voting_method": "Voting method",
    "precinct": "Precinct",
    "vote_date": "Vote date",
    "district": "District",
}


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


ALL_STATUSES = "All statuses"

# The summary tiles and the overview's status filter name the same groups (domain/display.py StatusGroup).
STATUS_GROUP_LABELS: Mapping[str, str] = {
    StatusGroup.PROBLEM: f"{DISPLAY_LABELS[DisplayStatus.FAILED]} / {DISPLAY_LABELS[DisplayStatus.ESCALATED].lower()}",
    StatusGroup.IN_PROGRESS: DISPLAY_LABELS[DisplayStatus.IN_PROGRESS],
    StatusGroup.VERIFIED: DISPLAY_LABELS[DisplayStatus.VERIFIED],
    StatusGroup.NO_UPLOAD: DISPLAY_LABELS[DisplayStatus.NO_UPLOAD],
}

# What a county clerk does next, by the worst display state among the county's parties.
NEXT_STEP_LABELS: Mapping[str, str] = {
    DisplayStatus.NO_UPLOAD: "Upload your roster",
    DisplayStatus.IN_PROGRESS: "Waiting for the statewide check",
    DisplayStatus.ESCALATED: "Escalated: check your roster; an administrator reviews the difference",
    DisplayStatus.FAILED: "The check failed: upload your roster again",
    DisplayStatus.WITHIN: "Within 1%: nothing to do",
    DisplayStatus.OVERRIDDEN: "Decided by an administrator: nothing to do",
    DisplayStatus.VERIFIED: "Verified: nothing to do",
}


def status_group_label(group: str) -> str:
    """``Failed / escalated`` for the problem group."""
    return STATUS_GROUP_LABELS.get(group, group)


def next_step(category: str | None) -> str:
    """The clerk's next step for a county in display state ``category`` (None: no upload yet)."""
    return NEXT_STEP_LABELS.get(category or DisplayStatus.NO_UPLOAD, NEXT_STEP_LABELS[DisplayStatus.IN_PROGRESS])

# The headline of the upload wizard's result page, by what the submit did.
UPLOAD_OUTCOME_LABELS: Mapping[str, str] = {
    "stored": "Stored: the upload is now your official count.",
    "duplicate": "Already stored: these files are the current upload; nothing was changed.",
    "queued": "Queued offline: the upload will be sent when the server is reachable.",
    "not_stored": "Not stored.",
}
QUEUED_NEXT_STEP = "Keep Turnout Desktop running: the status bar shows the upload waiting and when it is sent"
DUPLICATE_NEXT_STEP = "Nothing to do: the county overview shows the status of the upload already stored"


def status_mark(category: str | None) -> str:
    """``✓`` verified, ``≈`` within, ``…`` in progress, ``!`` escalated, ``✕`` failed, ``✎`` overridden."""
    return STATUS_MARKS.get(category or DisplayStatus.NO_UPLOAD, "?")


def field_label(name: str) -> str:
    """``Voting method`` for ``voting_method``; an unknown field name as it is."""
    return FIELD_LABELS.get(name, name)


def accuracy_text(accuracy_pct: float | Decimal | None, *, decimals: int = 2) -> str:
    """``99.50%``: an accuracy always carries its percent sign; empty when unknown."""
    return "" if accuracy_pct is None else f"{float(accuracy_pct):.{decimals}f}%"


def local_time_text(value: dt.datetime, *, zone: dt.tzinfo | None = None) -> str:
    """``2026-03-04 04:00 CST``: a stored time (naive values are UTC, as the database keeps them) in local time.

    ``zone``: the zone to show (default: this computer's). The zone's abbreviation is shown when it has a
    short one; a zone named in words (Windows says "Central Standard Time") shows its UTC offset instead.
    """
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    local = aware.astimezone(zone)
    name = local.tzname() or ""
    if not name or " " in name or len(name) > 5 or name[0] in "+-":
        offset = local.utcoffset() or dt.timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        name = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{local:%Y-%m-%d %H:%M} {name}"


# The review states of an escalation (``domain/decisions.py``); unreviewed, an escalation is open.
REVIEW_LABELS: Mapping[str, str] = {
    ReviewState.INVESTIGATING: "Investigating",
    ReviewState.RESOLVED: "Resolved",
    ReviewState.WONT_FIX: "Won't fix",
}
NOT_REVIEWED = "Open, not reviewed yet"
# What an admin's decision did, after the admin's name in the escalation inbox ("ada reviewed, ...").
DECISION_EVENT_LABELS: Mapping[str, str] = {
    DecisionEvent.ESCALATION_REVIEWED: "reviewed",
    DecisionEvent.MANUAL_OVERRIDE: "overrode",
    DecisionEvent.OVERRIDE_REVOKED: "revoked",
}
# The escalation dialog's advice (what to do next, per diagnosis) is in domain/advice.py.


def review_label(state: str | None) -> str:
    """``Won't fix`` for ``wont-fix``; no state is an escalation nobody reviewed yet."""
    return REVIEW_LABELS.get(state, state) if state else NOT_REVIEWED


def decision_event_label(event: str | None) -> str:
    """``overrode`` for ``manual_override``; an unknown event as it was logged."""
    return DECISION_EVENT_LABELS.get(event or "", event or "")


# A county's figures as the county map's tooltip names them, keyed by the overview row's fields
# (``services/reconciliation_results.py`` CountyOverviewRow).
FIGURE_LABELS: Mapping[str, str] = {
    "expected_total": "official",
    "confirmed_total": "statewide-confirmed",
    "accuracy_pct": "accuracy",
}

# Where the upload wizard found a roster field (services/field_sources.py ``FieldSource.source``).
FIELD_SOURCE_LABELS: Mapping[str, str] = {
    "mapped": "mapped: {value}",
    "detected": "detected: {value}",
    "sheet_name": "from the sheet name: {value}",
    "file_name": "from the file name: {value}",
    "option": "from your choice: {value}",
    "not_found": "not found: choose a column",
}
TO_CONFIRM = " (confirm it below)"


def field_source_text(source: str, value: str, *, to_confirm: bool = False) -> str:
    """``detected: Voter ID`` / ``not found: choose a column``: where a field's values come from."""
    return FIELD_SOURCE_LABELS.get(source, source).format(value=value) + (TO_CONFIRM if to_confirm else "")


# What an auto-check changed, as the tray notification words it (services/check_changes.py decides).
CHECK_CHANGE_LABELS: Mapping[str, str] = {
    "escalated": "Escalated, needs a person",
    "healed": "No longer escalated",
}
# The dashboard keeps the last figures it loaded; offline it shows them with this mark (HH:MM, local time).
OFFLINE_FIGURES_MARK = "offline, figures as of {time}"

# What started a logged run (``reconciliation_log.trigger_type``; ``domain/status.py`` Trigger).
TRIGGER_LABELS: Mapping[str, str] = {
    Trigger.COUNTY_UPLOAD: "County upload",
    Trigger.AUTO_CHECK: "Scheduled check",
    Trigger.MANUAL: "Re-check by hand",
}
# The county details' accuracy-over-time chart (gui/accuracy_history_chart.py).
ACCURACY_HISTORY_TITLE = "Accuracy over time"
NO_ACCURACY_HISTORY = "No reconciliation logged yet for {county}"
LOADING_ACCURACY_HISTORY = "Loading the accuracy history of {county}…"
ACCURACY_HISTORY_POINT = ("{time}\n{party}: {accuracy} - {status} {mark}\n"
                          "Official count {official}, statewide roster {statewide}\nStarted by: {trigger}")


def trigger_label(trigger: str | None) -> str:
    """``Scheduled check`` for ``AUTO_CHECK``; an unknown trigger as it was logged."""
    return TRIGGER_LABELS.get(trigger, trigger) if trigger else ""


# The kinds of wrong-county evidence (``engine/diagnose.py`` WRONG_DISTRICT_KINDS); the details dialog's
# Problem column names them, and any other evidence kind that is a diagnosis code by its diagnosis label.
EVIDENCE_KIND_LABELS: Mapping[str, str] = {
    "in_other_county": "Listed in another county statewide",
    "claimed_by_other_county": "Claimed by another county's roster",
    "county_fallback": "County guessed, not read from the data",
    "district_mismatch": "District disagrees with the precinct map",
}


def evidence_label(kind: str | None) -> str:
    """One evidence row's problem in words: a wrong-county kind, else a diagnosis code, else as it is."""
    if not kind:
        return ""
    return EVIDENCE_KIND_LABELS.get(kind) or DIAGNOSIS_LABELS.get(kind, kind)


# The kinds of row in the upload wizard's preview (``services/upload_preview.py`` BANNER ... BLANK).
ROW_KIND_LABELS: Mapping[str, str] = {
    "banner": "Title row",
    "header": "Header",
    "data": "Data",
    "footer": "Footer",
    "blank": "Blank",
}


def field_value_text(field: str, value: str) -> str:
    """A roster field's value as people read it: a voting method in words, anything else as it is."""
    return method_label(value) if field == "voting_method" else value


# Column headings of the CLI's text tables (``cli/cmd_engine.py``), keyed by the result fields the JSON names.
COLUMN_LABELS: Mapping[str, str] = {
    "id": "ID",
    "created_at": "Created",
    "county": FIELD_LABELS["county"],
    "party": FIELD_LABELS["party"],
    "voting_method": "Method",
    "official_count": "Official",
    "expected_total": "Official",
    "database_count": "Database",
    "actual_total": "Database",
    "discrepancy": "Off by",
    "accuracy_pct": "Accuracy",
    "final_accuracy_pct": "Accuracy",
    "status": "Status",
    "public_message": "Public message",
    "trigger_type": "Trigger",
    "strategy_succeeded": "Fixed by",
    "attempts_count": "Attempts",
    "check": "Check",
}
# What ``turnout check`` did with one county/party (``engine/results.py`` CHECK_*).
CHECK_RESULT_LABELS: Mapping[str, str] = {
    "unchanged": "Unchanged",
    "reconciled": "Reconciled again",
}


def column_label(name: str) -> str:
    """``Accuracy`` for ``final_accuracy_pct``; an unknown column name as it is."""
    return COLUMN_LABELS.get(name, name)

# A database seeded with made-up demo data says so in the title bar and on every report (services/demo.py).
DEMO_MARK = "DEMO"


def demo_marked(title: str) -> str:
    """``title`` marked as demo data, the mark first so a cut-off title still shows it."""
    return f"{DEMO_MARK} - {title}"


# The first start's welcome dialog (gui/welcome_dialog.py), by the choice saved in the preferences.
START_CHOICE_LABELS: Mapping[str, str] = {
    "demo": "Try with demo data",
    "local": "Use a local database",
    "server": "Connect to the shared server",
}
REMOVE_DEMO_DATA = "Remove demo data…"
