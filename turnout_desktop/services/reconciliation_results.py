"""What the reconciliation read services return: frozen records whose field names are the CLI's JSON keys.

``turnout status/gate/log/source show --json`` print these through ``cli.common.print_json`` (fields in
order, tuples as lists, dates and times as ISO text), so the names and the order below are the CLI contract.
A log entry's own columns are the engine's ``LogRow`` (real dates and times); the other timestamps here are
kept as the ISO text the JSON always printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from turnout_desktop.domain.result_fields import OMIT_IF_NONE
from turnout_desktop.domain.status import AttemptOutcome, Status
from turnout_desktop.engine.results import LogRow


@dataclass(frozen=True, slots=True)
class GateResult:
    """The public gate for one (county, party): may its figure be shown, and why."""

    allowed: bool
    accuracy_pct: float | None  # statewide-confirmed accuracy the gate decided on
    message: str
    level: str  # domain.gate LEVEL_* (``no_data`` without an official count)


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One official count (TOTAL rows included) with the live database counts and the gate."""

    county: str
    party: str
    voting_method: str
    official_count: int
    database_count: int
    confirmed_count: int
    verified: bool
    status: Status
    accuracy_pct: float | None  # every active record (what the engine heals towards)
    confirmed_accuracy_pct: float | None  # the statewide-confirmed records the gate publishes on
    public: bool
    public_message: str
    public_level: str
    certification: str
    last_verified_at: str | None


@dataclass(frozen=True, slots=True)
class CountyOverviewRow:
    """One (county, party) with official counts: totals, accuracy, status, gate and the latest run."""

    county: str
    party: str
    expected_total: int
    actual_total: int
    accuracy_pct: float
    confirmed_total: int
    confirmed_accuracy_pct: float
    status: Status
    public: bool
    public_message: str
    public_level: str
    certification: str
    last_log_id: int | None
    last_reconciled_at: str | None
    attempts_count: int
    current_strategy: str | None
    by_method: Mapping[str, Mapping[str, int]]  # {"early-voting": {"expected": n, "actual": n}, ...}


@dataclass(frozen=True, slots=True)
class LogAttempt:
    """One strategy attempt of a log entry (the ``reconciliation_attempt`` columns)."""

    id: int
    attempt_no: int
    strategy: str
    outcome: AttemptOutcome
    before_actual: int | None
    after_actual: int | None
    before_accuracy_pct: float | None
    after_accuracy_pct: float | None
    before_counts: Any
    after_counts: Any
    fix_id: int | None
    message: str | None
    started_at: str | None
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class LogOverride:
    """A manual override in force for a log entry's county, party and election."""

    id: int
    status: Status
    reason: str
    created_by: str
    created_at: str | None


@dataclass(frozen=True, slots=True)
class LogEntry(LogRow):
    """One ``reconciliation_log`` row (the engine's :class:`LogRow`) with its stored counts and its attempts.

    ``override`` is filled only by the dashboard (``services.dashboard.mark_overridden``): the entry keeps
    the status the engine computed, the override is a later decision recorded apart.
    """

    by_method: Mapping[str, Any]
    attempts: tuple[LogAttempt, ...]
    override: LogOverride | None = field(default=None, metadata=OMIT_IF_NONE)


@dataclass(frozen=True, slots=True)
class FixActionRow:
    """One row a fix changed, with its values before and after."""

    id: int
    action: str
    table_name: str
    record_id: int | None
    vuid: str | None
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class FixDetail:
    """One fix of a log entry with its actions."""

    id: int
    strategy: str
    summary: str | None
    created_at: str
    created_by: str | None
    undone_at: str | None
    actions: tuple[FixActionRow, ...]


@dataclass(frozen=True, slots=True)
class FailingVuid:
    """A VUID the county listed that the statewide data lacks (the diagnosis's evidence)."""

    vuid: str | None
    row_no: int | None
    file: str | None
    sheet: str | None
    precinct: str | None
    voting_method: str | None


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One row of a log entry's evidence table: a failing VUID, else a row the diagnosis stored as evidence.

    ``kind`` is the evidence kind or diagnosis code (``missing_vuids`` for a vote missing from the database);
    ``reason`` is a problem the diagnosis already said in words.
    """

    vuid: str | None
    kind: str | None
    reason: str | None
    row_no: int | None
    source_file: str | None
    precinct: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LogDetail(LogEntry):
    """A log entry with its fixes, the failing VUIDs, its evidence rows and the gate of its (county, party) now.

    ``evidence`` is what the details dialog lists (not printed by the CLI): the failing VUIDs when there are
    any, else the diagnosis's stored ``evidence`` rows.
    """

    fixes: tuple[FixDetail, ...]
    failing_vuids: tuple[FailingVuid, ...]
    evidence: tuple[EvidenceRow, ...]
    gate: GateResult
