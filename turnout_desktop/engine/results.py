"""What a reconciliation run returns: one frozen result per (county, party), as the CLI prints it.

Field names are the keys of ``turnout reconcile --json`` / ``turnout check --json`` (the
``reconciliation_log`` columns plus ``by_method`` and, in check mode, ``check``), in the same order; the CLI
edge (``cli/common.json_ready``) makes the JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from turnout_desktop.domain.metrics import MethodCount
from turnout_desktop.domain.result_fields import OMIT_IF_NONE
from turnout_desktop.domain.status import Status, Trigger

# ``ReconcileResult.check`` in check mode: what happened to each (county, party).
CHECK_UNCHANGED = "unchanged"
CHECK_RECONCILED = "reconciled"

ByMethod = Mapping[str, MethodCount]  # voting method -> official (expected) and database (actual) count


@dataclass(frozen=True, slots=True)
class LogRow:
    """One ``reconciliation_log`` row: its columns, in the order the CLI JSON prints them.

    The one record of a log row: a run's result (:class:`ReconcileResult`) and a log entry read back later
    (``services.reconciliation_results.LogEntry``) both extend it, and ``engine.reconcile_log.log_row_values``
    is the one place that fills it from the database row.
    """

    id: int
    county: str
    election_date: dt.date
    party: str
    trigger_type: Trigger
    expected_total: int | None
    actual_total: int | None
    discrepancy: int | None
    discrepancy_pct: float | None
    diagnosis: tuple[str, ...]
    diagnosis_details: Mapping[str, Any]
    strategies_tried: tuple[str, ...]
    strategy_succeeded: str | None
    attempts_count: int
    status: Status
    current_strategy: str | None
    resolution_time_seconds: float | None
    final_accuracy_pct: float | None
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    resolved_at: dt.datetime | None
    notes: str | None
    # As stored: a ReviewState value, None (open) or an older database's state name (services/fixes.py
    # review_state_of reads it), so it stays text here.
    review_state: str | None
    review_reason: str | None


@dataclass(frozen=True, slots=True)
class ReconcileResult(LogRow):
    """One (county, party) after a run: its ``reconciliation_log`` row plus the counts per method.

    ``check`` is set by the scheduled check only: ``reconciled`` (this check ran it) or ``unchanged`` (the
    newest earlier run, reported as it is).
    """

    by_method: ByMethod
    check: str | None = field(default=None, metadata=OMIT_IF_NONE)


@dataclass(frozen=True, slots=True)
class StrategyPreview:
    """What one strategy would do in a dry run (the counts and rows only when it applies)."""

    strategy: str
    applies: bool
    message: str | None = field(default=None, metadata=OMIT_IF_NONE)
    inserted: int | None = field(default=None, metadata=OMIT_IF_NONE)
    removed: int | None = field(default=None, metadata=OMIT_IF_NONE)
    reassigned: int | None = field(default=None, metadata=OMIT_IF_NONE)
    updated: int | None = field(default=None, metadata=OMIT_IF_NONE)
    preview: tuple[Mapping[str, Any], ...] | None = field(default=None, metadata=OMIT_IF_NONE)


@dataclass(frozen=True, slots=True, kw_only=True)
class DryRunResult:
    """One (county, party) of a dry run: the figures now and what each strategy would do; nothing written.

    The keys of ``ReconcileResult`` that a dry run has (no log row: ``id`` is None), plus ``dry_run`` and
    ``preview``, in the order the CLI prints them.
    """

    id: None = None
    county: str
    election_date: dt.date
    party: str
    trigger_type: Trigger
    expected_total: int
    actual_total: int
    discrepancy: int
    discrepancy_pct: float
    diagnosis: tuple[str, ...]
    diagnosis_details: Mapping[str, Any]
    strategies_tried: tuple[str, ...] = ()
    strategy_succeeded: None = None
    attempts_count: int = 0
    status: Status
    resolution_time_seconds: None = None
    final_accuracy_pct: float
    resolved_at: None = None
    notes: str
    by_method: ByMethod
    dry_run: bool = True
    preview: tuple[StrategyPreview, ...]
