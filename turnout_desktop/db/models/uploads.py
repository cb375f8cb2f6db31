"""What counties and the statewide fetch send: source files, submissions, their roster rows and derived counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from turnout_desktop.db.models.base import Base, utcnow


class SourceFile(Base):
    """Every upload and statewide fetch: the bytes are kept so strategy E can re-parse them."""

    __tablename__ = "source_file"
    __table_args__ = (
        UniqueConstraint("kind", "election_date", "sha256", name="uq_source_file_kind_election_sha"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # county_roster | county_summary | statewide | precincts
    name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    election_date: Mapped[dt.date | None] = mapped_column(Date)
    parser: Mapped[str | None] = mapped_column(String(40))
    encoding: Mapped[str | None] = mapped_column(String(40))
    layout: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # sheet, header row, mapping
    rows: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by: Mapped[str | None] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    as_of: Mapped[dt.datetime | None] = mapped_column(DateTime)  # snapshot time of statewide data
    status: Mapped[str] = mapped_column(String(20), default="complete")


class Submission(Base):
    """One county's upload for one election (one or several files); newer ones supersede older."""

    __tablename__ = "submission"
    __table_args__ = (Index("ix_submission_county_election", "county", "election_date", "superseded_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # client-made, for exactly-once outbox push
    county: Mapped[str] = mapped_column(String(100))
    election_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))  # roster | summary
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    problems: Mapped[list[Any] | None] = mapped_column(JSON)  # informational pre-check problems
    # A roster's latest vote date per party ({"DEM": "2026-02-27"}), kept when its rows are stored so the
    # diagnosis's timing evidence reads one row per upload, not every voter row (migration 0007).
    latest_vote_dates: Mapped[dict[str, str] | None] = mapped_column(JSON)


class SubmissionFile(Base):
    __tablename__ = "submission_file"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"), primary_key=True)


class CountyRosterRow(Base):
    """One voter row of a county roster upload, raw VUID beside the canonical one.

    Two VUID indexes (the election one carries county and submission, so the engine's cross-county joins
    read no table rows; migration 0005) and a partial index of the few rows with a VUID problem: rows go in
    VUID order so all grow at their end. A unique key on the row
    position (submission, file, sheet, row number) was dropped in migration 0002 - the one B-tree filled
    in random order; positions are unique by construction (one row per spreadsheet row).
    """

    __tablename__ = "county_roster_row"
    __table_args__ = (
        Index("ix_roster_row_submission_vuid", "submission_id", "vuid"),
        Index("ix_roster_row_election_vuid", "election_date", "vuid", "county", "submission_id"),
        Index("ix_roster_row_problem", "submission_id", sqlite_where=text("problem_code IS NOT NULL"),
              postgresql_where=text("problem_code IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_file.id"))
    sheet: Mapped[str] = mapped_column(String(100), default="")
    row_no: Mapped[int] = mapped_column(Integer)
    election_date: Mapped[dt.date] = mapped_column(Date)
    county: Mapped[str] = mapped_column(String(100))
    party: Mapped[str] = mapped_column(String(10))
    voting_method: Mapped[str] = mapped_column(String(20))
    vuid: Mapped[str | None] = mapped_column(String(10))
    vuid_raw: Mapped[str | None] = mapped_column(String(100))
    precinct: Mapped[str | None] = mapped_column(String(40))
    vote_date: Mapped[dt.date | None] = mapped_column(Date)
    problem_code: Mapped[str | None] = mapped_column(String(40))


class UploadCount(Base):
    """Official counts as derived from one submission (history; the current ones live in the reference)."""

    __tablename__ = "upload_count"
    __table_args__ = (UniqueConstraint("submission_id", "party", "voting_method", name="uq_upload_count"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    party: Mapped[str] = mapped_column(String(50))
    voting_method: Mapped[str] = mapped_column(String(50))
    official_count: Mapped[int] = mapped_column(Integer)
