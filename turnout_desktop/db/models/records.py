"""The statewide roster: one row per vote, and the precinct-to-district map strategy C reads."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from turnout_desktop.db.models.base import Base, utcnow


class TurnoutRecord(Base):
    """One vote. Never hard-deleted by a strategy: ``removed_at`` / ``removed_by_fix`` soft-delete it."""

    __tablename__ = "turnout_record"
    __table_args__ = (
        UniqueConstraint("election_date", "source", "vuid", "voting_method", name="uq_turnout_record_identity"),
        # ``source`` and ``vote_date`` last: the statewide count per group and the latest statewide vote date
        # per county are index-only too (migration 0006).
        Index("ix_turnout_record_group", "election_date", "county", "party", "voting_method", "removed_at", "source",
              "vote_date"),
        Index("ix_turnout_record_vuid", "election_date", "vuid", "removed_at", "county"),
        Index("ix_turnout_record_fallback", "election_date", "county", sqlite_where=text("county_fallback"),
              postgresql_where=text("county_fallback")),
        Index("ix_turnout_record_source_file", "source_file_id"),
        Index("ix_turnout_record_not_statewide", "election_date", "county", "party",
              sqlite_where=text("source <> 'statewide'"), postgresql_where=text("source <> 'statewide'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_date: Mapped[dt.date] = mapped_column(Date)
    vuid: Mapped[str] = mapped_column(String(10))
    county: Mapped[str] = mapped_column(String(100))
    party: Mapped[str] = mapped_column(String(10))
    voting_method: Mapped[str] = mapped_column(String(20))
    precinct: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(100))
    vote_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10))  # statewide | county
    verification: Mapped[str] = mapped_column(String(10))  # verified | pending
    county_fallback: Mapped[bool] = mapped_column(Boolean, default=False)  # county guessed, not from data
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_file.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_fix: Mapped[int | None] = mapped_column(ForeignKey("fix.id"))
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    removed_by_fix: Mapped[int | None] = mapped_column(ForeignKey("fix.id"))


class PrecinctDistrict(Base):
    """Precinct-to-district map used by strategy C."""

    __tablename__ = "precinct_district"
    __table_args__ = (UniqueConstraint("county", "precinct", name="uq_precinct_district"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(100))
    precinct: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(100))
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("source_file.id"))
