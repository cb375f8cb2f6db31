"""The report as plain data (no Qt): one model, rendered to PDF, CSV and XLSX.

Built by ``turnout_desktop.reports.build.build_report`` from SQL queries; the renderers only read it.
``report_tables`` flattens it into the sections the CSV and XLSX files contain, in this order:
report, summary, totals, counties, discrepancies, attempts, evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from turnout_desktop.domain.status import AttemptOutcome, Status, Trigger


@dataclass(frozen=True, slots=True)
class CountyRow:
    """One (county, party, method) line of the per-county table; method ``TOTAL`` sums the party."""

    county: str
    party: str
    method: str
    official: int
    database: int
    off_by: int  # database - official (positive: the database has more)
    accuracy_pct: float | None
    status: Status
    status_label: str  # the words the GUI shows for the same status (domain/labels.py status_text)
    public: bool
    public_message: str
    override_reason: str | None = None
    override_by: str | None = None


@dataclass(frozen=True, slots=True)
class TotalsRow:
    """Expected vs actual for one party and method over the counties in scope that uploaded."""

    party: str
    method: str
    expected: int
    actual: int
    off_by: int
    records_all_counties: int  # active records of this party/method in every county in scope


@dataclass(frozen=True, slots=True)
class Summary:
    """County counts by state; the five groups add up to the counties in scope (254 statewide).

    A county is *escalated* if any party's newest run is ESCALATED/FAILED (and not overridden),
    else *verified* if every party passes the gate's verified level (or is overridden), else
    *within 1%* if every party passes the gate, else *in progress*; *no upload* has no official count.
    """

    counties_in_scope: int
    verified: int
    within: int
    in_progress: int
    escalated: int
    no_upload: int
    expected_total: int
    actual_total: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """One failing VUID (or one fact) behind a diagnosis code, located in its source file."""

    code: str
    vuid: str | None
    precinct: str | None
    source_file: str | None
    row_no: int | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One strategy tried within a reconciliation run, with the counts before and after it."""

    attempt_no: int
    strategy: str
    strategy_label: str  # the label the strategy declares (the PDF's; the exports keep the name)
    outcome: AttemptOutcome
    before_actual: int | None
    after_actual: int | None
    before_accuracy_pct: float | None
    after_accuracy_pct: float | None
    fix_id: int | None
    message: str | None


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One reconciliation run worth explaining: diagnosis, evidence, attempts and the outcome."""

    log_id: int
    county: str
    party: str
    created_at: dt.datetime | None
    trigger: Trigger
    expected: int | None
    actual: int | None
    discrepancy: int | None
    discrepancy_pct: float | None
    status: Status
    status_label: str  # as CountyRow.status_label; "Overridden" while an override is in force
    diagnosis: list[str]
    resolution: str  # what fixed it, or why it is escalated
    override: str | None  # "reason (by user)" of an active manual override
    evidence: list[Evidence] = field(default_factory=list)
    evidence_total: int = 0  # failing VUIDs named by the diagnosis (evidence may list all of them)
    attempts: list[AttemptRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one diagnostic report shows."""

    title: str
    scope: str  # "election" | "county <name>" | "escalation <id>"
    election: dt.date
    generated_at: dt.datetime
    user: str
    as_of: dt.datetime | None
    statewide_snapshot: str
    gate_verified_pct: float
    gate_within_pct: float
    audit_head: str
    summary: Summary
    totals: list[TotalsRow]
    counties: list[CountyRow]
    discrepancies: list[Discrepancy]
    certification: str = "unofficial"  # "certified" when the scope is certified (engine.certification)


@dataclass(frozen=True, slots=True)
class Table:
    """One section of the flat exports: a name, column headers and rows of plain values."""

    name: str
    header: list[str]
    rows: Sequence[Sequence[object]]


def report_tables(report: Report) -> list[Table]:
    """The report as the sections written to CSV (one block each) and XLSX (one sheet each)."""
    meta: list[list[object]] = [
        ["title", report.title], ["scope", report.scope], ["election", report.election],
        ["certification", report.certification],
        ["generated_at", report.generated_at], ["user", report.user], ["as_of", report.as_of],
        ["statewide_snapshot", report.statewide_snapshot], ["gate_verified_pct", report.gate_verified_pct],
        ["gate_within_pct", report.gate_within_pct], ["audit_head_sha256", report.audit_head],
    ]
    s = report.summary
    summary = [
        ["counties_in_scope", s.counties_in_scope], ["verified", s.verified], ["within_1pct", s.within],
        ["in_progress", s.in_progress], ["escalated", s.escalated], ["no_upload", s.no_upload],
        ["expected_total", s.expected_total], ["actual_total", s.actual_total],
    ]
    totals = [[t.party, t.method, t.expected, t.actual, t.off_by, t.records_all_counties] for t in report.totals]
    counties = [
        [c.county, c.party, c.method, c.official, c.database, c.off_by, c.accuracy_pct, c.status,
         "yes" if c.public else "no", c.public_message, c.override_reason, c.override_by]
        for c in report.counties
    ]
    discrepancies = [
        [d.log_id, d.county, d.party, d.created_at, d.trigger, d.expected, d.actual, d.discrepancy,
         d.discrepancy_pct, d.status, "; ".join(d.diagnosis), d.resolution, d.override, d.evidence_total]
        for d in report.discrepancies
    ]
    attempts = [
        [d.log_id, d.county, d.party, a.attempt_no, a.strategy, a.outcome, a.before_actual, a.after_actual,
         a.before_accuracy_pct, a.after_accuracy_pct, a.fix_id, a.message]
        for d in report.discrepancies for a in d.attempts
    ]
    evidence = [
        [d.log_id, d.county, d.party, e.code, e.vuid, e.precinct, e.source_file, e.row_no, e.note]
        for d in report.discrepancies for e in d.evidence
    ]
    return [
        Table("report", ["field", "value"], meta),
        Table("summary", ["measure", "value"], summary),
        Table("totals", ["party", "method", "expected", "actual", "off_by", "records_all_counties"], totals),
        Table("counties", ["county", "party", "method", "official", "database", "off_by", "accuracy_pct",
                           "status", "public", "public_message", "override_reason", "override_by"], counties),
        Table("discrepancies", ["log_id", "county", "party", "created_at", "trigger", "expected", "actual",
                                "discrepancy", "discrepancy_pct", "status", "diagnosis", "resolution",
                                "override", "failing_vuids"], discrepancies),
        Table("attempts", ["log_id", "county", "party", "attempt_no", "strategy", "outcome", "before_actual",
                           "after_actual", "before_accuracy_pct", "after_accuracy_pct", "fix_id", "message"],
              attempts),
        Table("evidence", ["log_id", "county", "party", "code", "vuid", "precinct", "source_file", "row_no",
                           "note"], evidence),
    ]


def build_report(session: Session, *, election: dt.date, county: str | None = None,
                 escalation_id: int | None = None, user: str = "",
                 generated_at: dt.datetime | None = None, strategy_labels: Mapping[str, str] | None = None) -> Report:
    """Build the report from the database (see ``turnout_desktop.reports.build.build_report``)."""
    from turnout_desktop.reports.build import build_report as _build  # the builder imports this module

    return _build(session, election=election, county=county, escalation_id=escalation_id, user=user,
                  generated_at=generated_at, strategy_labels=strategy_labels or {})
