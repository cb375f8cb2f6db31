"""Reconciliation runs: the log row, its attempts, the undoable fixes they made and the input versions they read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from turnout_desktop.db.models.base import Base, utcnow


class ReconciliationLog(Base):
    """One reconciliation run for a (county, election, party), as in the original design."""

    __tablename__ = "reconciliation_log"
    __table_args__ = (
        Index("idx_recon_county_election", "county", "election_date"),
        Index("idx_recon_status", "status"),
        Index("idx_recon_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(100))
    election_date: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(String(50))
    trigger_type: Mapped[str] = mapped_column(String(50))  # domain.status.Trigger
    expected_total: Mapped[int | None] = mapped_column(Integer)
    actual_total: Mapped[int | None] = mapped_column(Integer)
    discrepancy: Mapped[int | None] = mapped_column(Integer)
    discrepancy_pct: Mapped[float | None] = mapped_column(Float)
    diagnosis: Mapped[list[Any] | None] = mapped_column(JSON)
    diagnosis_details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    strategies_tried: Mapped[list[Any] | None] = mapped_column(JSON)
    strategy_succeeded: Mapped[str | None] = mapped_column(String(100))
    attempts_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))  # RESOLVED | IN_PROGRESS | ESCALATED | FAILED
    current_strategy: Mapped[str | None] = mapped_column(String(100))
    resolution_time_seconds: Mapped[float | None] = mapped_column(Float)
    final_accuracy_pct: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    review_state: Mapped[str | None] = mapped_column(String(30))  # domain.decisions.ReviewState; NULL: open
    review_reason: Mapped[str | None] = mapped_column(Text)
    input_version: Mapped[int | None] = mapped_column(Integer)  # reconcile_input.version the run started from


class ReconciliationAttempt(Base):
    """One strategy tried within a log entry, with the counts before and after it."""

    __tablename__ = "reconciliation_attempt"
    __table_args__ = (Index("ix_attempt_log", "log_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_log.id"))
    attempt_no: Mapped[int] = mapped_column(Integer)
    strategy: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))  # engine/reconcile_log.py OUTCOME_*
    before_actual: Mapped[int | None] = mapped_column(Integer)
    after_actual: Mapped[int | None] = mapped_column(Integer)
    before_accuracy_pct: Mapped[float | None] = mapped_column(Float)
    after_accuracy_pct: Mapped[float | None] = mapped_column(Float)
    before_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    fix_id: Mapped[int | None] = mapped_column(ForeignKey("fix.id"))
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Fix(Base):
    """One strategy execution that changed data; its rows are in ``fix_action``; undoable as a whole."""

    __tablename__ = "fix"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy: Mapped[str] = mapped_column(String(100))
    county: Mapped[str | None] = mapped_column(String(100))
    election_date: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str | None] = mapped_column(String(50))
    log_id: Mapped[int | None] = mapped_column(ForeignKey("reconciliation_log.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))


class FixAction(Base):
    """One row a fix inserted, removed or reassigned, with before/after values."""

    __tablename__ = "fix_action"
    __table_args__ = (Index("ix_fix_action_fix", "fix_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"))
    action: Mapped[str] = mapped_column(String(20))  # insert | remove | reassign | update
    table_name: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int | None] = mapped_column(Integer)
    vuid: Mapped[str | None] = mapped_column(String(10))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReconcileInput(Base):
    """How often what a county's reconciliation reads has changed (see ``engine/inputs.py``)."""

    __tablename__ = "reconcile_input"

    county: Mapped[str] = mapped_column(String(100), primary_key=True)
    election_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
