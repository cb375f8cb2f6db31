"""The official counts (source of truth), their change history and the admin decisions that override or lock them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from turnout_desktop.db.models.base import Base, utcnow


class CountyTurnoutReference(Base):
    """The county's official count per party and method (and TOTAL): the source of truth."""

    __tablename__ = "county_turnout_reference"
    __table_args__ = (
        UniqueConstraint("county", "election_date", "party", "voting_method",
                         name="uq_county_ref_county_election_party_method"),
        Index("idx_county_ref_county_election", "county", "election_date"),
        Index("idx_county_ref_verified", "verified"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(100))
    election_date: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(String(50))
    voting_method: Mapped[str] = mapped_column(String(50))
    official_count: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(255))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by: Mapped[str | None] = mapped_column(String(100))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    database_count: Mapped[int | None] = mapped_column(Integer)
    last_verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))


class OfficialCountChange(Base):
    """One insert or change of an official count, written by a database trigger (migration 0009).

    Application roles may only read it (on PostgreSQL the trigger is a SECURITY DEFINER function of the
    owner): an official count changed by plain SQL, without an upload, still names the login that did it.
    """

    __tablename__ = "official_count_change"
    __table_args__ = (Index("ix_official_count_change_scope", "county", "election_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(100))
    election_date: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(String(50))
    voting_method: Mapped[str] = mapped_column(String(50))
    old_count: Mapped[int | None] = mapped_column(Integer)
    new_count: Mapped[int] = mapped_column(Integer)
    submission_id: Mapped[int | None] = mapped_column(Integer)
    changed_by: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ManualOverride(Base):
    """An admin's override of a county/party status, with the written reason (also in audit_event)."""

    __tablename__ = "manual_override"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(100))
    election_date: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submission_id: Mapped[int | None] = mapped_column(Integer)  # the upload it was given for; a newer one ends it


class Certification(Base):
    """An admin's certification of an election (``county`` NULL) or of one county: the scope is locked."""

    __tablename__ = "certification"
    __table_args__ = (Index("ix_certification_election", "election_date", "county"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_date: Mapped[dt.date] = mapped_column(Date)
    county: Mapped[str | None] = mapped_column(String(100))
    certified_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    certified_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # counts as certified, for the drift check
    last_drift_check_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
