"""What an admin sees before and around a decision: the override preview and the escalation inbox.

The preview decides the gate again on the very facts the published decision was made on
(``engine/publication.py`` ``Publication.facts``), with the override the admin is about to give, through the
one gate function (``domain/gate.py`` ``can_show_data_publicly``): the label it shows is the label the
public export will carry. The decisions themselves are ``services/fixes.py``'s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db import settings_store
from turnout_desktop.db.models import AuditEvent, ReconciliationLog, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.decisions import DecisionEvent, ReviewState
from turnout_desktop.domain.gate import GateDecision, GateFacts, GateThresholds, can_show_data_publicly
from turnout_desktop.domain.metrics import rounded
from turnout_desktop.domain.permissions import Action
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status
from turnout_desktop.engine.publication import overrides_in_force, publications
from turnout_desktop.engine.reconcile_log import latest_logs
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.fixes import review_state_of
from turnout_desktop.services.reconciliation_results import LogOverride

# The audit events of an admin's decision on an escalation (``DecisionEvent``) tell who last touched it.
DECISION_EVENTS = tuple(event.value for event in DecisionEvent)


@dataclass(frozen=True, slots=True)
class OverridePreview:
    """One (county, party) as it is published now, and what an override would publish instead."""

    county: str
    party: str
    election_date: str
    official_total: int  # the public figure: the county's official count
    official_by_method: Mapping[str, int]
    database_total: int
    confirmed_total: int  # active records confirmed by statewide data
    confirmed_accuracy_pct: float
    allowed_now: bool
    message_now: str
    override_in_force: LogOverride | None  # an override already decided (revoke it before giving another)
    facts: GateFacts
    thresholds: GateThresholds

    def published(self, reason: str) -> GateDecision:
        """The gate's decision once an override with ``reason`` is in force (RESOLVED: published)."""
        return can_show_data_publicly(dataclasses.replace(self.facts, override_reason=reason,
                                                          override_status=Status.RESOLVED), self.thresholds)


def preview_override(ctx: AppContext, scope: Scope) -> OverridePreview:
    """The figure an override of ``scope``'s county/party would publish, and the gate's label now.

    Raises:
        PermissionDenied: not an admin. InvalidRequest: no county or party in ``scope``, or no official
        counts to override (as ``services.fixes.override`` refuses).
    """
    ctx.require(Action.OVERRIDE)
    if scope.county is None or scope.party is None:
        raise InvalidRequest("An override is for one county and one party of an election.")
    county, party = scope.county.strip().upper(), scope.party.strip().upper()
    with transaction(ctx.engine) as session:
        thresholds = settings_store.gate_thresholds(session)
        found = publications(session, scope.election, county=county, party=party,
                             thresholds=thresholds).get((county, party))
        if found is None:
            raise InvalidRequest(f"{county} has no official {party or '(blank)'} counts for the election of "
                                 f"{scope.election.isoformat()}: there is nothing to override.")
        active = found.override
        in_force = None if active is None else LogOverride(
            id=active.id, status=Status(active.status), reason=active.reason, created_by=active.created_by,
            created_at=active.created_at.isoformat() if active.created_at else None)
        comparison = found.comparison
        return OverridePreview(
            county=county, party=party, election_date=scope.election.isoformat(),
            official_total=comparison.expected_total,
            official_by_method={method: count.expected for method, count in sorted(comparison.by_method.items())},
            database_total=comparison.actual_total, confirmed_total=found.confirmed_total,
            confirmed_accuracy_pct=rounded(found.confirmed_accuracy), allowed_now=found.decision.allowed,
            message_now=found.decision.message, override_in_force=in_force, facts=found.facts,
            thresholds=thresholds)


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One open escalation: the newest run of a (county, party) escalated and no override in force."""

    log_id: int
    county: str
    party: str
    election_date: str
    expected_total: int | None
    actual_total: int | None
    discrepancy: int | None
    escalated_at: str  # the first run of the unbroken series of escalated runs
    age_seconds: int
    review_state: ReviewState | None  # None: nobody reviewed it yet
    review_reason: str | None
    last_touched_by: str | None  # the admin of the newest review, override or revoke
    last_touched_at: str | None
    last_action: str | None  # that event's type (``DECISION_EVENTS``)


def escalation_inbox(ctx: AppContext, election: dt.date, *, now: dt.datetime | None = None) -> tuple[InboxRow, ...]:
    """Open escalations of ``election``, oldest first; a clerk sees its own counties'."""
    now = now or utcnow()
    scope = ctx.scope_counties
    with transaction(ctx.engine) as session:
        newest = {key: log for key, log in latest_logs(session, election).items()
                  if log.status == Status.ESCALATED and (scope is None or key[0] in scope)}
        overridden = overrides_in_force(session, election)
        open_logs = {key: log for key, log in newest.items() if key not in overridden}
        if not open_logs:
            return ()
        since = _escalated_since(session, election, set(open_logs))
        touched = _last_decisions(session, election, {county for county, _party in open_logs})
        rows = []
        for key, log in open_logs.items():
            started = since.get(key) or log.created_at
            event = touched.get(key)
            rows.append(InboxRow(
                log_id=log.id, county=log.county, party=log.party, election_date=election.isoformat(),
                expected_total=log.expected_total, actual_total=log.actual_total, discrepancy=log.discrepancy,
                escalated_at=started.isoformat(), age_seconds=max(0, int((now - started).total_seconds())),
                review_state=review_state_of(log.review_state), review_reason=log.review_reason,
                last_touched_by=event.user_name if event else None,
                last_touched_at=event.occurred_at.isoformat() if event else None,
                last_action=event.event_type if event else None))
    return tuple(sorted(rows, key=lambda row: (row.escalated_at, row.county, row.party)))  # oldest first


def _escalated_since(session: Session, election: dt.date,
                     keys: set[tuple[str, str]]) -> dict[tuple[str, str], dt.datetime]:
    """When each pair's trailing series of ESCALATED runs began (a re-check that escalates again keeps the age)."""
    since: dict[tuple[str, str], dt.datetime] = {}
    runs = session.execute(
        select(ReconciliationLog.county, ReconciliationLog.party, ReconciliationLog.status,
               ReconciliationLog.created_at)
        .where(ReconciliationLog.election_date == election, ReconciliationLog.status != Status.CHECKED)
        .order_by(ReconciliationLog.id))
    for county, party, status, created_at in runs:
        key = (county, party)
        if key not in keys:
            continue
        if status != Status.ESCALATED:
            since.pop(key, None)
        elif key not in since:
            since[key] = created_at
    return since


def _last_decisions(session: Session, election: dt.date, counties: set[str]) -> dict[tuple[str, str], AuditEvent]:
    """The newest decision event of every (county, party) (the party is in the event's details)."""
    found: dict[tuple[str, str], AuditEvent] = {}
    events = session.execute(
        select(AuditEvent).where(AuditEvent.event_type.in_(DECISION_EVENTS), AuditEvent.election_date == election,
                                 AuditEvent.county.in_(sorted(counties))).order_by(AuditEvent.seq)).scalars()
    for event in events:
        party = (event.details or {}).get("party")
        if event.county and party:
            found[(event.county, str(party))] = event  # ascending seq: the newest wins
    return found
