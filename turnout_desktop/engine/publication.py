"""Everything the public gate decides on, gathered set-based for a whole election (or one county/party).

``gate``, ``status``, ``export-public``, the reports and the GUI all read their decisions from here, so
one figure never gets two different labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from turnout_desktop.db import settings_store
from turnout_desktop.db.models import ManualOverride, Submission
from turnout_desktop.domain.gate import GateDecision, GateFacts, GateThresholds, can_show_data_publicly
from turnout_desktop.domain.metrics import MethodCount, accuracy_pct
from turnout_desktop.domain.status import Status
from turnout_desktop.engine import repository
from turnout_desktop.engine.compare import Comparison, compare
from turnout_desktop.engine.freshness import PairState, pair_states

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Publication:
    """One (county, party): live counts, the statewide-confirmed counts, its newest run and the gate."""

    comparison: Comparison
    confirmed: dict[str, int]  # voting_method -> statewide-confirmed active records
    confirmed_accuracy: Decimal
    state: PairState
    override: ManualOverride | None
    decision: GateDecision
    facts: GateFacts  # what ``decision`` was decided on (an override preview decides again on these)

    @property
    def confirmed_total(self) -> int:
        return sum(self.confirmed.values())


def current_submissions(session: Session, election: dt.date, county: str | None = None) -> dict[str, int]:
    """The newest upload (submission id) of every county of an election."""
    query = (select(Submission.county, func.max(Submission.id)).where(Submission.election_date == election)
             .group_by(Submission.county))
    if county is not None:
        query = query.where(Submission.county == county)
    return {name: int(newest) for name, newest in session.execute(query)}


def overrides_in_force(session: Session, election: dt.date, county: str | None = None) -> dict[Key, ManualOverride]:
    """The newest not-revoked override of every (county, party) of an election, while it still applies.

    An override was given for the county's upload of that moment: a later upload ends it (the admin
    decided on figures that are no longer the county's).
    """
    query = (select(ManualOverride).where(ManualOverride.election_date == election,
                                          ManualOverride.revoked_at.is_(None)).order_by(ManualOverride.id))
    if county is not None:
        query = query.where(ManualOverride.county == county)
    uploads = current_submissions(session, election, county)
    newest = {(row.county, row.party): row for row in session.execute(query).scalars()}  # newest wins
    return {key: row for key, row in newest.items() if row.submission_id == uploads.get(row.county)}


def certification_labels(session: Session, election: dt.date) -> Callable[[str], str]:
    """``label(county)``: "certified" when the election or the county is certified, else "unofficial"."""
    from turnout_desktop.engine.certification import certifications_in_force

    certified = certifications_in_force(session, election)
    whole = None in certified
    return lambda county: "certified" if whole or county in certified else "unofficial"


def publications(session: Session, election: dt.date, *, county: str | None = None, party: str | None = None,
                 thresholds: GateThresholds | None = None) -> dict[Key, Publication]:
    """The gate's facts and decision for every (county, party) with official counts."""
    thresholds = thresholds or settings_store.gate_thresholds(session)
    success = settings_store.success_threshold(session)
    states = pair_states(session, election, county)
    active, statewide = repository.active_and_statewide_counts(session, election, county=county, party=party)
    comparisons = compare(session, election, county=county, party=party, update=False, actual=active)
    confirmed = repository.confirmed_counts(session, election, county=county, party=party,
                                            statewide_counts=statewide)
    overrides = overrides_in_force(session, election, county)
    found: dict[Key, Publication] = {}
    for comparison in comparisons:
        key = (comparison.county, comparison.party)
        by_method = {method: confirmed.get((*key, method), 0) for method in comparison.by_method}
        confirmed_accuracy = accuracy_pct(comparison.expected_total, {
            method: MethodCount(count.expected, by_method[method]) for method, count in comparison.by_method.items()})
        state = _holds(states.get(key) or PairState(None, 0, False, "never reconciled"), comparison, success)
        override = overrides.get(key)
        facts = GateFacts(reconciled=state.fresh, status=state.log.status if state.log else None,
                          confirmed_accuracy=confirmed_accuracy,
                          override_reason=override.reason if override else None,
                          override_status=override.status if override else Status.RESOLVED)
        found[key] = Publication(comparison, by_method, confirmed_accuracy, state, override,
                                 can_show_data_publicly(facts, thresholds), facts)
    return found


def _holds(state: PairState, comparison: Comparison, success: Decimal) -> PairState:
    """A finished run counts only while the live numbers are the ones it recorded and its status fits them.

    Counts changed behind the application's back (no input change recorded), or a RESOLVED row whose live
    accuracy is below the success threshold (a status written by hand), put the pair back "in progress"
    until a run looks again: a log row alone never publishes a figure.
    """
    log = state.log
    if not state.fresh or log is None:
        return state
    recorded = (log.diagnosis_details or {}).get("by_method")
    if recorded is not None and recorded != comparison.counts_json():  # rows the engine wrote always have it
        return PairState(log, state.input_version, False, "the counts changed since the last run")
    if log.status == Status.RESOLVED and comparison.accuracy < success:
        return PairState(log, state.input_version, False, "RESOLVED, but the counts are below the success threshold")
    return state
