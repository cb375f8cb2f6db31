"""Who may see and change what, and the tamper-evident trail of what each login did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from turnout_desktop.db.models.base import Base, utcnow


class AuditEvent(Base):
    """Append-only, hash-chained who/what/when (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    event_type: Mapped[str] = mapped_column(String(60))
    disposition: Mapped[str] = mapped_column(String(10))  # success | failure | na
    user_name: Mapped[str | None] = mapped_column(String(100))
    user_role: Mapped[str | None] = mapped_column(String(20))
    county: Mapped[str | None] = mapped_column(String(100))
    election_date: Mapped[dt.date | None] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchor(Base):
    """The hash of every audit row as it was appended, kept where no application role can rewrite it.

    Written by a database trigger (on PostgreSQL a SECURITY DEFINER function of the owner); application
    roles may only read it. ``audit verify`` compares each row with its anchor, so an edited, re-hashed,
    deleted or truncated audit row is named by its seq even when the chain itself was made consistent.
    """

    __tablename__ = "audit_anchor"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RosterOverlapProbe(Base):
    """One call of the roster-overlap check, written by its SECURITY DEFINER function (migration 0010).

    Each call tells a clerk one bit about records row-level security hides (db/pg_roster_overlap.py), so
    every call is kept here for admins and auditors and a login's calls of the last hour are rate-limited.
    """

    __tablename__ = "roster_overlap_probe"
    __table_args__ = (Index("ix_roster_overlap_probe_login_time", "login", "probed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(Text)
    election_date: Mapped[dt.date] = mapped_column(Date)
    distinct_vuids: Mapped[int] = mapped_column(Integer)
    vuids_sha256: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str | None] = mapped_column(String(100))
    probed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginRole(Base):
    """A login's Turnout role in this database (``turnout admin grant-*``), beside its group membership."""

    __tablename__ = "login_role"

    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    granted_by: Mapped[str | None] = mapped_column(String(100))


class CountyGrant(Base):
    """The counties a clerk login may see and change (written only by ``turnout admin grant-clerk``)."""

    __tablename__ = "county_grant"

    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    county: Mapped[str] = mapped_column(String(100), primary_key=True)
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    granted_by: Mapped[str | None] = mapped_column(String(100))
