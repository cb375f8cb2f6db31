"""A county's accuracy over time, read from the reconciliation log: one point per logged run and party.

Each ``reconciliation_log`` row keeps the official TOTAL the run compared with (``expected_total``), the
records of the statewide roster it counted (``actual_total``) and their split by voting method
(``diagnosis_details["by_method"]``, written by ``engine/loop.py`` and ``engine/batch.py``). The accuracy of a
point is computed from those counts by the one formula (``domain/metrics.py`` ``accuracy_pct``); a row
written before the split was kept falls back to the accuracy the run stored, which that formula made too.

The log keeps what the run counted, not which of those records the statewide data confirmed at the time, so
the history shows the accuracy the engine heals towards; today's statewide-confirmed figure (what the gate
publishes) is the county overview's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.metrics import MethodCount, accuracy_pct, rounded
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status, Trigger
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services.context import AppContext

DEFAULT_LIMIT = 500  # the newest runs a chart can still tell apart; the count says how many there were


@dataclass(frozen=True, slots=True)
class AccuracyPoint:
    """One logged run of one party."""

    log_id: int
    logged_at: dt.datetime  # when the run was logged (started), timezone-aware UTC
    party: str
    trigger_type: Trigger
    status: Status
    official_count: int  # the official TOTAL the run compared with
    statewide_count: int  # the active records of the statewide roster the run counted
    accuracy_pct: float


@dataclass(frozen=True, slots=True)
class AccuracyHistory:
    """The points of one county (and party, when the scope names one), oldest first."""

    election: dt.date
    county: str
    party: str | None
    runs_logged: int  # every logged run of the scope; ``points`` holds the newest ``limit`` of them
    points: tuple[AccuracyPoint, ...]


def accuracy_history(ctx: AppContext, scope: Scope, *, limit: int = DEFAULT_LIMIT) -> AccuracyHistory:
    """The accuracy of every logged run of ``scope``'s county (one party, or each party), oldest first.

    A clerk reads only the counties granted (the same check as ``reconciliation_views.log_entries``; on
    PostgreSQL row-level security narrows the rows as well). The scheduled check's summary rows (status
    CHECKED, county ``*``) and runs that never compared (no official TOTAL logged) have no point.

    Raises:
        InvalidRequest: ``scope`` names no county (and the user has no single county) or ``limit`` < 1.
        PermissionDenied: a clerk asked for a county not granted.
    """
    if limit < 1:
        raise InvalidRequest(f"The accuracy history needs a limit of at least 1 (got {limit}).")
    county = ctx.scoped_county(scope.county)
    if county is None:
        raise InvalidRequest("The accuracy history is per county: name the county.")
    conditions: list[ColumnElement[bool]] = [
        ReconciliationLog.county == county, ReconciliationLog.election_date == scope.election,
        ReconciliationLog.status != Status.CHECKED, ReconciliationLog.expected_total.is_not(None),
    ]
    if scope.party is not None:
        conditions.append(ReconciliationLog.party == scope.party)
    columns = (ReconciliationLog.id, ReconciliationLog.created_at, ReconciliationLog.party,
               ReconciliationLog.trigger_type, ReconciliationLog.status, ReconciliationLog.expected_total,
               ReconciliationLog.actual_total, ReconciliationLog.final_accuracy_pct,
               ReconciliationLog.diagnosis_details)
    with transaction(ctx.engine) as session:
        runs_logged = session.execute(select(func.count()).select_from(ReconciliationLog)
                                      .where(*conditions)).scalar_one()
        # Newest first to keep the newest ``limit`` (idx_recon_county_election narrows, the key orders) ...
        newest = session.execute(select(*columns).where(*conditions)
                                 .order_by(ReconciliationLog.created_at.desc(), ReconciliationLog.id.desc())
                                 .limit(limit)).all()
    # ... then oldest first, as a chart reads.
    points = tuple(point for row in reversed(newest) if (point := _point(row)) is not None)
    return AccuracyHistory(election=scope.election, county=county, party=scope.party, runs_logged=runs_logged,
                           points=points)


def _point(row: Any) -> AccuracyPoint | None:
    accuracy = logged_accuracy(row.expected_total, (row.diagnosis_details or {}).get("by_method"),
                               row.final_accuracy_pct)
    if accuracy is None:
        return None
    return AccuracyPoint(
        log_id=row.id, logged_at=as_utc(row.created_at), party=row.party, trigger_type=Trigger(row.trigger_type),
        status=Status(row.status), official_count=row.expected_total, statewide_count=row.actual_total or 0,
        accuracy_pct=accuracy)


def logged_accuracy(expected_total: int, by_method: Mapping[str, Mapping[str, int]] | None,
                    stored: float | None) -> float | None:
    """The accuracy of a logged run from its per-method counts; ``stored`` when the row has none."""
    if by_method:
        counts = {method: MethodCount(int(values.get("expected") or 0), int(values.get("actual") or 0))
                  for method, values in by_method.items()}
        return rounded(accuracy_pct(expected_total, counts))
    return stored


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time (naive UTC, as ``db/models/base.py`` keeps them) as an aware UTC time."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
