"""Build the report model from the database with set-based SQL (never loads records into Python)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from turnout_desktop.db.audit import head_hash
from turnout_desktop.db.models import (
    CountyTurnoutReference,
    Fix,
    ManualOverride,
    ReconciliationAttempt,
    ReconciliationLog,
    SourceFile,
    TurnoutRecord,
    utcnow,
)
from turnout_desktop.db.settings_store import STATEWIDE_SOURCE, gate_thresholds, get_setting, is_demo_database
from turnout_desktop.domain.codes import TOTAL
from turnout_desktop.domain.counties import all_counties
from turnout_desktop.domain.gate import LEVEL_IN_PROGRESS, GateDecision
from turnout_desktop.domain.labels import demo_marked, review_label, status_label, status_text, strategy_label
from turnout_desktop.domain.metrics import MethodCount, accuracy_pct, rounded
from turnout_desktop.domain.status import PROBLEM_STATUSES, AttemptOutcome, Status, Trigger
from turnout_desktop.engine.certification import certified_scope
from turnout_desktop.engine.publication import overrides_in_force, publications
from turnout_desktop.errors import NotFound
from turnout_desktop.reports.evidence import collect_evidence
from turnout_desktop.reports.model import (
    AttemptRow,
    CountyRow,
    Discrepancy,
    Report,
    Summary,
    TotalsRow,
)

# A demo database's report says so in this title (PDF heading and page header, the CSV/XLSX title row).
REPORT_TITLE = "Turnout reconciliation report"
NO_LABELS: Mapping[str, str] = MappingProxyType({})
Key = tuple[str, str]  # (county, party)


def _pct(value: Decimal | None) -> float | None:
    return None if value is None else rounded(value, 4)


def _official_counts(session: Session, election: dt.date, county: str | None,
                     party: str | None) -> dict[Key, dict[str, int]]:
    query = select(CountyTurnoutReference.county, CountyTurnoutReference.party,
                   CountyTurnoutReference.voting_method, CountyTurnoutReference.official_count
                   ).where(CountyTurnoutReference.election_date == election)
    if county is not None:
        query = query.where(CountyTurnoutReference.county == county)
    if party is not None:
        query = query.where(CountyTurnoutReference.party == party)
    official: dict[Key, dict[str, int]] = defaultdict(dict)
    for row_county, row_party, method, count in session.execute(query):
        official[(row_county, row_party)][method] = int(count)
    return official


def _record_counts(session: Session, election: dt.date, county: str | None) -> dict[Key, dict[str, int]]:
    """Active records per (county, party) and method, counted by the database (GROUP BY)."""
    query = (select(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method, func.count())
             .where(TurnoutRecord.election_date == election, TurnoutRecord.removed_at.is_(None))
             .group_by(TurnoutRecord.county, TurnoutRecord.party, TurnoutRecord.voting_method))
    if county is not None:
        query = query.where(TurnoutRecord.county == county)
    actual: dict[Key, dict[str, int]] = defaultdict(dict)
    for row_county, row_party, method, count in session.execute(query):
        actual[(row_county, row_party)][method] = int(count)
    return actual


def _newest_logs(session: Session, election: dt.date, county: str | None) -> dict[Key, ReconciliationLog]:
    newest_ids = (select(func.max(ReconciliationLog.id))
                  .where(ReconciliationLog.election_date == election, ReconciliationLog.status != Status.CHECKED)
                  .group_by(ReconciliationLog.county, ReconciliationLog.party))
    if county is not None:
        newest_ids = newest_ids.where(ReconciliationLog.county == county)
    logs = session.execute(select(ReconciliationLog).where(ReconciliationLog.id.in_(newest_ids))).scalars()
    return {(log.county, log.party): log for log in logs}


def _active_overrides(session: Session, election: dt.date, county: str | None) -> dict[Key, ManualOverride]:
    return overrides_in_force(session, election, county)


def _snapshot(session: Session, election: dt.date) -> tuple[dt.datetime | None, str]:
    """As-of time and a description of the statewide files the numbers were compared against."""
    files = session.execute(
        select(SourceFile.name, SourceFile.sha256, SourceFile.as_of, SourceFile.uploaded_at)
        .where(SourceFile.kind == "statewide", SourceFile.election_date == election)
        .order_by(SourceFile.uploaded_at.desc(), SourceFile.id.desc())
    ).all()
    source = get_setting(session, STATEWIDE_SOURCE)
    source_text = f"; source {source}" if source else ""
    if not files:
        return None, f"no statewide file imported{source_text}"
    as_of_values = [row.as_of for row in files if row.as_of is not None]
    newest = files[0]
    text = f"{len(files)} statewide file(s), newest {newest.name} (sha256 {newest.sha256[:12]}){source_text}"
    return (max(as_of_values) if as_of_values else None), text


def _county_rows(official: dict[Key, dict[str, int]], actual: dict[Key, dict[str, int]],
                 logs: dict[Key, ReconciliationLog], overrides: dict[Key, ManualOverride],
                 decisions: dict[Key, GateDecision]) -> tuple[list[CountyRow], dict[Key, tuple[str, str]]]:
    """Rows of the per-county table and, per (county, party), its (status, gate level)."""
    rows: list[CountyRow] = []
    states: dict[Key, tuple[str, str]] = {}
    for key in sorted(official):
        county, party = key
        official_by_method = {m: c for m, c in official[key].items() if m != TOTAL}
        actual_by_method = actual.get(key, {})
        methods = sorted(set(official_by_method) | set(actual_by_method))
        by_method = {m: MethodCount(official_by_method.get(m, 0), actual_by_method.get(m, 0)) for m in methods}
        expected_total = official[key].get(TOTAL, sum(official_by_method.values()))
        party_accuracy = accuracy_pct(expected_total, by_method)
        override = overrides.get(key)
        decision = decisions.get(key) or GateDecision(False, None, "Reconciliation in progress", LEVEL_IN_PROGRESS)
        log = logs.get(key)
        status = Status.OVERRIDDEN if override else (Status(log.status) if log else Status.NOT_RECONCILED)
        states[key] = (status, decision.level)
        shown = status_text(status, party_accuracy)
        extra = {"override_reason": override.reason, "override_by": override.created_by} if override else {}
        for method in methods:
            count = by_method[method]
            rows.append(CountyRow(
                county=county, party=party, method=method, official=count.expected, database=count.actual,
                off_by=count.actual - count.expected,
                accuracy_pct=_pct(accuracy_pct(count.expected, {method: count})),
                status=status, status_label=shown, public=decision.allowed, public_message=decision.message,
                **extra))
        database_total = sum(c.actual for c in by_method.values())
        rows.append(CountyRow(
            county=county, party=party, method=TOTAL, official=expected_total, database=database_total,
            off_by=database_total - expected_total, accuracy_pct=_pct(party_accuracy), status=status,
            status_label=shown, public=decision.allowed, public_message=decision.message, **extra))
    return rows, states


def _summary(states: dict[Key, tuple[str, str]], counties_in_scope: int, counties: list[CountyRow]) -> Summary:
    per_county: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (county, _party), state in states.items():
        per_county[county].append(state)
    verified = within = in_progress = escalated = 0
    for county_states in per_county.values():
        if any(status in PROBLEM_STATUSES for status, _ in county_states):
            escalated += 1
        elif all(level in ("verified", "override") for _, level in county_states):
            verified += 1
        elif all(level in ("verified", "override", "within") for _, level in county_states):
            within += 1
        else:
            in_progress += 1
    totals = [row for row in counties if row.method == TOTAL]
    return Summary(
        counties_in_scope=counties_in_scope, verified=verified, within=within, in_progress=in_progress,
        escalated=escalated, no_upload=max(counties_in_scope - len(per_county), 0),
        expected_total=sum(row.official for row in totals), actual_total=sum(row.database for row in totals))


def _totals(official: dict[Key, dict[str, int]], actual: dict[Key, dict[str, int]]) -> list[TotalsRow]:
    expected: dict[tuple[str, str], int] = defaultdict(int)
    uploaded_actual: dict[tuple[str, str], int] = defaultdict(int)
    everywhere: dict[tuple[str, str], int] = defaultdict(int)
    for key, methods in official.items():
        for method, count in methods.items():
            if method != TOTAL:
                expected[(key[1], method)] += count
        for method, count in actual.get(key, {}).items():
            uploaded_actual[(key[1], method)] += count
    for key, methods in actual.items():
        for method, count in methods.items():
            everywhere[(key[1], method)] += count
    groups = sorted(set(expected) | set(everywhere))
    return [TotalsRow(party=party, method=method, expected=expected[(party, method)],
                      actual=uploaded_actual[(party, method)],
                      off_by=uploaded_actual[(party, method)] - expected[(party, method)],
                      records_all_counties=everywhere[(party, method)])
            for party, method in groups]


def _resolution(log: ReconciliationLog, fixes: list[Fix], strategy_labels: Mapping[str, str]) -> str:
    """What fixed the discrepancy, or why it is escalated, in one sentence for the reader."""
    fix_text = "; ".join(
        f"fix {f.id} {strategy_label(f.strategy, strategy_labels)}: {f.summary or ''}".rstrip(": ")
        + (" (undone)" if f.undone_at else "") for f in fixes)
    if log.status == Status.RESOLVED:
        text = f"Resolved by {strategy_label(log.strategy_succeeded, strategy_labels)}" if log.strategy_succeeded \
            else "Resolved: counts match"
    elif log.status in PROBLEM_STATUSES:
        text = f"{status_label(log.status)} after {log.attempts_count} attempt(s)"
    else:
        text = status_label(log.status)
    parts = [text, fix_text, log.notes or "", f"review: {review_label(log.review_state)}" if log.review_state else "",
             log.review_reason or ""]
    return ". ".join(part for part in parts if part)


def _discrepancies(session: Session, logs: list[ReconciliationLog], overrides: dict[Key, ManualOverride],
                   strategy_labels: Mapping[str, str]) -> list[Discrepancy]:
    ids = [log.id for log in logs]
    attempts: dict[int, list[AttemptRow]] = defaultdict(list)
    fixes: dict[int, list[Fix]] = defaultdict(list)
    if ids:
        for a in session.execute(select(ReconciliationAttempt).where(ReconciliationAttempt.log_id.in_(ids))
                                 .order_by(ReconciliationAttempt.log_id, ReconciliationAttempt.attempt_no)
                                 ).scalars():
            attempts[a.log_id].append(AttemptRow(
                attempt_no=a.attempt_no, strategy=a.strategy,
                strategy_label=strategy_label(a.strategy, strategy_labels), outcome=AttemptOutcome(a.outcome),
                before_actual=a.before_actual, after_actual=a.after_actual, before_accuracy_pct=a.before_accuracy_pct,
                after_accuracy_pct=a.after_accuracy_pct, fix_id=a.fix_id, message=a.message))
        for fix in session.execute(select(Fix).where(Fix.log_id.in_(ids)).order_by(Fix.id)).scalars():
            fixes[fix.log_id or 0].append(fix)
    result = []
    for log in logs:
        evidence, total = collect_evidence(session, log.election_date, log.county, log.diagnosis_details)
        override = overrides.get((log.county, log.party))
        result.append(Discrepancy(
            log_id=log.id, county=log.county, party=log.party, created_at=log.created_at,
            trigger=Trigger(log.trigger_type), expected=log.expected_total, actual=log.actual_total,
            discrepancy=log.discrepancy, discrepancy_pct=log.discrepancy_pct, status=Status(log.status),
            status_label=status_text(log.status, log.final_accuracy_pct, overridden=override is not None),
            diagnosis=[str(code) for code in (log.diagnosis or [])],
            resolution=_resolution(log, fixes[log.id], strategy_labels),
            override=f"{override.reason} (by {override.created_by})" if override else None,
            evidence=evidence, evidence_total=total, attempts=attempts[log.id]))
    return result


def _worth_explaining(log: ReconciliationLog) -> bool:
    return bool(log.discrepancy) or log.status != Status.RESOLVED or log.attempts_count > 0 or bool(log.diagnosis)


def build_report(session: Session, *, election: dt.date, county: str | None = None,
                 escalation_id: int | None = None, user: str = "",
                 generated_at: dt.datetime | None = None, strategy_labels: Mapping[str, str] = NO_LABELS) -> Report:
    """Build the diagnostic report for a whole election, one county or one escalation.

    Args:
        session: open session (read only).
        election: election date.
        county: limit to this county (canonical SOS name).
        escalation_id: limit to this reconciliation_log entry (its county and party).
        user: who generates the report (printed in the footer).
        generated_at: generation time (default: now, UTC).
        strategy_labels: each strategy's declared label by name (``turnout_desktop.strategies.declared_labels()``,
            passed in because reports may not import the strategies; see ``domain/labels.py``). Without it
            the report names strategies as the log does.

    Returns:
        The report model.

    Raises:
        NotFound: ``escalation_id`` does not exist for this election.
    """
    party: str | None = None
    escalation: ReconciliationLog | None = None
    if escalation_id is not None:
        escalation = session.get(ReconciliationLog, escalation_id)
        if escalation is None or escalation.election_date != election:
            raise NotFound(f"No reconciliation log entry {escalation_id} for the election of {election}.")
        county, party = escalation.county, escalation.party
    thresholds = gate_thresholds(session)
    official = _official_counts(session, election, county, party)
    actual = _record_counts(session, election, county)
    if party is not None:
        actual = {key: value for key, value in actual.items() if key[1] == party}
    logs = _newest_logs(session, election, county)
    overrides = _active_overrides(session, election, county)
    decisions = {key: found.decision for key, found in publications(
        session, election, county=county, party=party, thresholds=thresholds).items()}
    rows, states = _county_rows(official, actual, logs, overrides, decisions)
    in_scope = 1 if county is not None else len(all_counties())
    if escalation is not None:
        explained = [escalation]
        scope = f"escalation {escalation.id} ({escalation.county} {escalation.party})"
    else:
        explained = [log for key, log in sorted(logs.items()) if _worth_explaining(log)]
        scope = f"county {county}" if county is not None else "election"
    as_of, snapshot = _snapshot(session, election)
    return Report(
        title=demo_marked(REPORT_TITLE) if is_demo_database(session) else REPORT_TITLE, scope=scope,
        election=election,
        generated_at=generated_at or utcnow().replace(microsecond=0), user=user, as_of=as_of,
        statewide_snapshot=snapshot, gate_verified_pct=float(thresholds.verified),
        gate_within_pct=float(thresholds.within), audit_head=head_hash(session),
        summary=_summary(states, in_scope, rows), totals=_totals(official, actual), counties=rows,
        discrepancies=_discrepancies(session, explained, overrides, strategy_labels),
        certification="certified" if certified_scope(session, election, county) is not None else "unofficial")
