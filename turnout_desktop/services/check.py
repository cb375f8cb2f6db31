"""The scheduled check (hourly in the app, ``turnout check`` headless): fetch, heal, leave a trace.

Each check, per election:

1. fetches the statewide source once (the newest election that is not certified only: the source is
   one setting, the current election's feed) and imports what is new;
2. re-reconciles every (county, party) whose inputs changed (``engine/freshness.py``: upload, statewide
   records, precincts, undo, another county's fix), that never finished a run, that is ESCALATED while
   the statewide data changed, that waits for a statewide import a clerk could not make, or whose last
   run is older than a day;
3. leaves certified scopes alone but for the daily drift check (an alarm, nothing fixed);
4. writes one AUTO_CHECK summary row (county and party ``*``, status CHECKED) and one ``check`` audit
   event, so anyone can show afterwards that it ran and what it found.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from turnout_desktop.db import settings_store
from turnout_desktop.db.audit import record_event
from turnout_desktop.db.models import ReconciliationLog, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.permissions import Action, is_allowed
from turnout_desktop.domain.result_fields import OMIT_IF_NONE, json_ready
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import AttemptOutcome, Status, Trigger
from turnout_desktop.engine.batch import waiting_for_statewide
from turnout_desktop.engine.certification import certifications_in_force
from turnout_desktop.engine.compare import compare
from turnout_desktop.engine.freshness import PairState, pair_states
from turnout_desktop.engine.loop import STATEWIDE_SEEN
from turnout_desktop.engine.repository import newest_election, newest_statewide_file
from turnout_desktop.engine.results import CHECK_RECONCILED, ReconcileResult
from turnout_desktop.engine.types import (
    CancelCheck,
    ProgressCallback,
)
from turnout_desktop.errors import Certified, ImportRejected, SourceUnavailable
from turnout_desktop.services.context import AppContext

if TYPE_CHECKING:
    from turnout_desktop.services.certification import DriftAlarm

ALL = "*"  # county and party of a check's summary row
DAILY = dt.timedelta(hours=24)

Key = tuple[str, str]


class FetchOutcome(StrEnum):
    """What a check's fetch of the statewide source did (stored in the check's log row and printed as is)."""

    IMPORTED = "imported"
    NO_CHANGE = "no_change"
    REFUSED = "refused"  # every new file was refused (certified, or not a statewide file)
    NO_SOURCE = "no_source"
    SOURCE_UNAVAILABLE = AttemptOutcome.SOURCE_UNAVAILABLE.value  # the same words as strategy A's attempt
    CERTIFIED = "certified"  # not fetched: the election is certified


@dataclass(frozen=True, slots=True)
class StatewideFetch:
    """What one check's fetch of the statewide source did (``files``, ``refused``, ``source``: None when unknown)."""

    outcome: FetchOutcome
    message: str
    inserted: int = 0  # new statewide records
    files: tuple[str, ...] | None = field(default=None, metadata=OMIT_IF_NONE)  # names of the files imported
    refused: tuple[str, ...] | None = field(default=None, metadata=OMIT_IF_NONE)  # "name: why" per refused file
    source: str | None = field(default=None, metadata=OMIT_IF_NONE)  # the configured statewide source

    def to_json(self) -> dict[str, Any]:
        """The stored form (``statewide`` of the check's log row and audit event): keys left out while None."""
        stored: dict[str, Any] = json_ready(self)
        return stored


@dataclass(frozen=True, slots=True)
class ElectionCheck:
    """What one check did for one election (``to_json`` is what its log row and audit event store)."""

    election: dt.date
    examined: int = 0
    changed: int = 0  # pairs whose inputs changed since their last run
    reconciled: int = 0
    healed: int = 0  # not RESOLVED before, RESOLVED now
    escalated: int = 0  # re-reconciled by this check and ESCALATED
    certified_skipped: int = 0
    statewide: StatewideFetch | None = None  # None: the statewide source was not fetched for this election
    drifts: tuple[DriftAlarm, ...] = ()
    reasons: dict[str, int] = field(default_factory=dict)  # why pairs were re-reconciled
    statewide_file_max_id: int | None = None  # the newest statewide file when the check ran
    error: str | None = None  # why the check stopped early (its row is still written)
    log_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The stored form: ``diagnosis_details["check"]`` of its log row (``turnout check --json`` prints it too)."""
        return {"election_date": self.election.isoformat(), "examined": self.examined, "changed": self.changed,
                "reconciled": self.reconciled, "healed": self.healed, "escalated": self.escalated,
                "certified_skipped": self.certified_skipped,
                "statewide": self.statewide.to_json() if self.statewide is not None else {},
                "drift_alarms": len(self.drifts), "drifts": [asdict(drift) for drift in self.drifts],
                "reasons": self.reasons,
                "statewide_file_max_id": self.statewide_file_max_id, "error": self.error, "log_id": self.log_id}

    def sentence(self) -> str:
        text = (f"Check of {self.election.isoformat()}: {self.examined} county/party examined, {self.changed} with "
                f"changed inputs, {self.reconciled} re-reconciled, {self.healed} healed, {self.escalated} escalated")
        if self.certified_skipped:
            text += f", {self.certified_skipped} certified left alone"
        if self.statewide is not None and self.statewide.message:
            text += f"; statewide source: {self.statewide.message}"
        if self.drifts:
            text += f"; ALARM: {len(self.drifts)} certified scope(s) changed underneath"
        if self.error:
            text += f"; STOPPED: {self.error}"
        return text + "."


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What a check did: one result per (county, party) of every election checked, and each election's summary."""

    results: tuple[ReconcileResult, ...]
    elections: tuple[ElectionCheck, ...]

    @property
    def drift_alarms(self) -> list[DriftAlarm]:
        return [drift for election in self.elections for drift in election.drifts]


def check(ctx: AppContext, election: dt.date | None = None, *, progress: ProgressCallback | None = None,
          cancel: CancelCheck | None = None) -> list[ReconcileResult]:
    """The scheduled check; one result per (county, party) (``check``: reconciled | unchanged)."""
    return list(run_check(ctx, election, progress=progress, cancel=cancel).results)


def run_check(ctx: AppContext, election: dt.date | None = None, *, progress: ProgressCallback | None = None,
              cancel: CancelCheck | None = None, now: dt.datetime | None = None) -> CheckReport:
    """The scheduled check of one election, or of every election (newest first); see the module docstring."""
    from turnout_desktop.services.reconciliation import elections

    ctx.require(Action.CHECK)
    chosen = [election] if election is not None else elections(ctx)
    current = _current_election(ctx, chosen)
    results: list[ReconcileResult] = []
    summaries: list[ElectionCheck] = []
    for index, day in enumerate(chosen):
        def election_progress(fraction: float, message: str, _index: int = index) -> None:
            if progress is not None:
                progress((_index + fraction) / len(chosen), message)

        checked, summary = _check_election(ctx, day, fetch=day == current, now=now or utcnow(),
                                           progress=election_progress, cancel=cancel)
        results.extend(checked)
        summaries.append(summary)
    return CheckReport(tuple(results), tuple(summaries))


def _current_election(ctx: AppContext, chosen: list[dt.date]) -> dt.date | None:
    """The election the statewide feed belongs to: the newest with official counts, if the check covers it.

    Never an older one, even when the newest is certified: the feed is that election's voters.
    """
    with transaction(ctx.engine) as session:
        newest = newest_election(session)
    return newest if newest in chosen else None


def _check_election(ctx: AppContext, election: dt.date, *, fetch: bool, now: dt.datetime,
                    progress: ProgressCallback, cancel: CancelCheck | None,
                    ) -> tuple[list[ReconcileResult], ElectionCheck]:
    """Check one election; its summary row is written, with what was found so far, even when the check fails."""
    from turnout_desktop.services.certification import drift_check
    from turnout_desktop.services.reconciliation import reconcile

    summary = ElectionCheck(election)
    try:
        summary = replace(summary, drifts=drift_check(ctx, election))
        may_import = is_allowed(ctx.role, Action.IMPORT_STATEWIDE)
        with transaction(ctx.engine) as session:
            whole_election_certified = None in certifications_in_force(session, election)
        if fetch and may_import and not whole_election_certified:
            summary = replace(summary, statewide=_fetch_statewide(ctx, election))
        elif fetch and whole_election_certified:
            summary = replace(summary, statewide=StatewideFetch(
                FetchOutcome.CERTIFIED, "not fetched: the election is certified"))
        with transaction(ctx.engine) as session:
            certified = certifications_in_force(session, election)
            states = pair_states(session, election)
            newest_statewide = newest_statewide_file(session, election)
            summary = replace(summary, statewide_file_max_id=newest_statewide)
            waiting = waiting_for_statewide(session, election) if may_import else set()
            drifted = _counts_drifted(session, election, states)
        targets, before, certified_skipped = _targets(states, certified, newest_statewide, drifted, waiting, now)
        reasons: dict[str, int] = {}
        for why in targets.values():
            reasons[why] = reasons.get(why, 0) + 1
        summary = replace(summary, examined=len(states), certified_skipped=certified_skipped, reasons=reasons,
                          changed=sum(why == "inputs changed" for why in targets.values()))
        results: list[ReconcileResult] = []
        if certified_skipped < len(states):
            results = reconcile(ctx, Scope(election), trigger=Trigger.AUTO_CHECK, progress=progress, cancel=cancel,
                                targets=set(targets))
        reconciled = [result for result in results if result.check == CHECK_RECONCILED]
        summary = replace(summary, reconciled=len(reconciled), healed=sum(
            r.status == Status.RESOLVED and before.get((r.county, r.party)) != Status.RESOLVED for r in reconciled),
            escalated=sum(r.status == Status.ESCALATED for r in reconciled))
        return results, _record(ctx, summary, now)
    except Exception as exc:  # the trace is left even when the check cannot finish
        failed = replace(summary, error=f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(Exception):  # an unreachable database cannot take the row either
            _record(ctx, failed, now)
        raise


def _targets(states: dict[Key, PairState], certified: Mapping[str | None, object], newest_statewide: int,
             drifted: set[Key],
             waiting: set[Key], now: dt.datetime) -> tuple[dict[Key, str], dict[Key, str | None], int]:
    """Which pairs to re-reconcile and why, each pair's status before, and how many certified pairs were left."""
    targets: dict[Key, str] = {}
    before: dict[Key, str | None] = {}
    certified_skipped = 0
    for key, state in sorted(states.items()):
        if None in certified or key[0] in certified:
            certified_skipped += 1
            continue
        log = state.log
        before[key] = log.status if log is not None else None
        if not state.fresh:
            targets[key] = "inputs changed" if log is not None and log.status in (Status.RESOLVED, Status.ESCALATED) \
                else "unfinished"
        elif log is not None and log.status == Status.ESCALATED and newest_statewide > int(
                (log.diagnosis_details or {}).get(STATEWIDE_SEEN) or 0):  # a statewide file came since its run
            targets[key] = "escalated, statewide data changed"
        elif key in drifted:  # changed behind the app's back (no input change recorded)
            targets[key] = "counts changed since the last run"
        elif key in waiting:
            targets[key] = "waiting for a statewide import"
        elif log is not None and now - (log.updated_at or log.created_at) >= DAILY:
            targets[key] = "daily re-check"
    return targets, before, certified_skipped


def _fetch_statewide(ctx: AppContext, election: dt.date) -> StatewideFetch:
    """Fetch the configured statewide source once and import what is new (each file in its own transaction)."""
    from turnout_desktop.store.statewide_loader import load_statewide_file, refresh_statewide_count_cache
    from turnout_desktop.store.statewide_source import resolve_statewide_files

    with transaction(ctx.engine) as session:
        source = settings_store.get_setting(session, settings_store.STATEWIDE_SOURCE)
    if not source:
        return StatewideFetch(FetchOutcome.NO_SOURCE, "no statewide source is configured")
    try:
        fetched = resolve_statewide_files(source)
    except SourceUnavailable as exc:
        return StatewideFetch(FetchOutcome.SOURCE_UNAVAILABLE, str(exc), source=source)
    inserted = 0
    imported: list[str] = []
    refused: list[str] = []
    for path in fetched.files:
        try:
            with transaction(ctx.engine) as session:
                outcome = load_statewide_file(session, path, election=election, user=ctx.user)
                if outcome.skipped_file:
                    continue
                refresh_statewide_count_cache(session, election)
                record_event(session, "import_statewide", f"check imported statewide file {path.name}: "
                             f"{outcome.inserted} new records", user=ctx.user, role=ctx.role,
                             election_date=election,
                             details={k: v for k, v in asdict(outcome).items()
                                      if k not in ("rows_skipped", "by_county")})
        except (Certified, ImportRejected) as exc:  # one bad or locked file never stops the check
            refused.append(f"{path.name}: {exc}")
            continue
        inserted += outcome.inserted
        imported.append(path.name)
    message = (f"{len(imported)} new file(s), {inserted} new record(s)" if imported
               else "not modified" if fetched.not_modified else "no new file")
    if refused:
        message += "; refused: " + "; ".join(refused)
    result = FetchOutcome.IMPORTED if imported else FetchOutcome.REFUSED if refused else FetchOutcome.NO_CHANGE
    return StatewideFetch(result, message, inserted, files=tuple(imported), refused=tuple(refused), source=source)


def _counts_drifted(session: Any, election: dt.date, states: dict[Key, PairState]) -> set[Key]:
    """Pairs whose live counts differ from what their newest run recorded (one set-based compare)."""
    drifted: set[Key] = set()
    for comparison in compare(session, election, update=False):
        key = (comparison.county, comparison.party)
        state = states.get(key)
        log = state.log if state is not None else None
        if log is None:
            continue
        recorded = (log.diagnosis_details or {}).get("by_method")
        if (log.expected_total != comparison.expected_total or log.actual_total != comparison.actual_total
                or recorded != comparison.counts_json()):
            drifted.add(key)
    return drifted


def _record(ctx: AppContext, summary: ElectionCheck, now: dt.datetime) -> ElectionCheck:
    """The check's summary log row and its audit event, in one transaction; the summary with its ``log_id``."""
    with transaction(ctx.engine) as session:
        row = ReconciliationLog(
            county=ALL, election_date=summary.election, party=ALL, trigger_type=Trigger.AUTO_CHECK,
            status=Status.CHECKED, attempts_count=0, strategies_tried=[], diagnosis=[],
            diagnosis_details={"check": summary.to_json()}, created_at=now, updated_at=utcnow(),
            notes=summary.sentence())
        session.add(row)
        session.flush()
        recorded = replace(summary, log_id=row.id)
        record_event(session, "check", recorded.sentence(),
                     disposition="failure" if recorded.drifts or recorded.error else "success",
                     user=ctx.user, role=ctx.role, election_date=recorded.election,
                     details={**recorded.to_json(), "drifts": len(recorded.drifts)})
    return recorded
