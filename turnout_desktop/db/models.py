"""SQLAlchemy 2.x typed models.

``reconciliation_log`` and ``county_turnout_reference`` keep the names, columns, indexes and
unique constraint of the original design; the other tables carry the records, their
provenance and every change a fix makes (see docs/architecture.md, Data model).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    """Timezone-naive UTC timestamp (stored the same way on SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


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
    trigger_type: Mapped[str] = mapped_column(String(50))  # COUNTY_UPLOAD | AUTO_CHECK | MANUAL
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
    review_state: Mapped[str | None] = mapped_column(String(30))  # services.fixes.REVIEW_STATES; NULL: open
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


class ReconcileInput(Base):
    """How often what a county's reconciliation reads has changed (see ``engine/inputs.py``)."""

    __tablename__ = "reconcile_input"

    county: Mapped[str] = mapped_column(String(100), primary_key=True)
    election_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)


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


class AppSetting(Base):
    """Shared settings stored with the data (statewide source, gate thresholds)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class StatewideCountCache(Base):
    """Statewide counts by county/party/method, cached locally for offline pre-checks."""

    __tablename__ = "statewide_count_cache"
    __table_args__ = (
        UniqueConstraint("county", "election_date", "party", "voting_method", name="uq_statewide_count_cache"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    county: Mapped[str] = mapped_column(String(100))
    election_date: Mapped[dt.date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(String(50))
    voting_method: Mapped[str] = mapped_column(String(50))
    count: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OutboxItem(Base):
    """A submission made while the shared server was unreachable, pushed exactly once later."""

    __tablename__ = "outbox_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    pushed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


