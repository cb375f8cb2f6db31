"""Shared building blocks of the strategy plugins: current rosters, safe record inserts, results.

Everything here writes only through the attempt's session and records each changed row with the
context's fix recorder; in a dry run it computes the same changes and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

from turnout_desktop.db.models import CountyRosterRow, Submission, TurnoutRecord
from turnout_desktop.engine.fixes import FixRecorder, snapshot, to_json_value
from turnout_desktop.engine.types import STATEWIDE_RECORDS_LEFT_TO_CHECK, StrategyContext, StrategyResult

CHUNK = 500  # bound parameter lists (SQLite allows 32k, PostgreSQL 65k; keep statements small)
RECORD_TABLE = "turnout_record"
REMOVAL_FIELDS = ["removed_at", "removed_by_fix"]
STATEWIDE = "statewide"  # turnout_record.source of the independent statewide data


def chunked(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    """Consecutive lists of at most ``size`` items."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def current_roster_ids(session: Session, election_date: dt.date, county: str) -> list[int]:
    """Ids of the county's current (not superseded) roster submissions of an election.

    Resolving these first lets the roster queries start from ``ix_roster_row_submission_vuid``; a
    join to ``submission`` instead made SQLite walk the election-wide VUID index (0.6 s per county).
    """
    return sorted(session.execute(
        select(Submission.id).where(Submission.election_date == election_date, Submission.county == county,
                                    Submission.kind == "roster", Submission.superseded_at.is_(None))).scalars())


def county_vuids(session: Session, election_date: dt.date, county: str) -> Select[Any]:
    """Query of the VUIDs that concern a county: its active records' and its current roster's.

    A UNION of two index searches (``ix_turnout_record_group``, ``ix_roster_row_submission_vuid``);
    the equivalent ``county = X OR vuid IN (roster)`` made SQLite scan the whole election.
    """
    roster_ids = current_roster_ids(session, election_date, county)
    records = select(TurnoutRecord.vuid).where(TurnoutRecord.election_date == election_date,
                                               TurnoutRecord.county == county, TurnoutRecord.removed_at.is_(None))
    if not roster_ids:
        return records
    roster = select(CountyRosterRow.vuid).where(CountyRosterRow.submission_id.in_(roster_ids),
                                                CountyRosterRow.vuid.is_not(None))
    return select(union(records, roster).subquery().c.vuid)


def active_records_in(session: Session, election_date: dt.date, vuids: Select[Any]) -> list[TurnoutRecord]:
    """Active records of the election whose VUID the ``vuids`` query yields, ordered by id (one query)."""
    return list(session.execute(
        select(TurnoutRecord).where(TurnoutRecord.election_date == election_date,
                                    TurnoutRecord.removed_at.is_(None), TurnoutRecord.vuid.in_(vuids))
        .order_by(TurnoutRecord.id)).scalars())


def roster_facts_in(session: Session, election_date: dt.date,
                    vuids: Select[Any]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For each VUID the ``vuids`` query yields: the counties and the methods current rosters give it.

    One set-based query (no Python-side batches of VUIDs).

    Returns:
        (counties by VUID, voting methods by VUID).
    """
    query = (
        select(CountyRosterRow.vuid, Submission.county, CountyRosterRow.voting_method)
        .join(Submission, Submission.id == CountyRosterRow.submission_id)
        .where(Submission.election_date == election_date, Submission.superseded_at.is_(None),
               Submission.kind == "roster", CountyRosterRow.election_date == election_date,
               CountyRosterRow.vuid.in_(vuids))
    )
    counties: dict[str, set[str]] = {}
    methods: dict[str, set[str]] = {}
    for vuid, county, method in session.execute(query):
        if vuid is not None:  # always: the query asks for listed VUIDs
            counties.setdefault(vuid, set()).add(county)
            methods.setdefault(vuid, set()).add(method)
    return counties, methods


def open_fix(context: StrategyContext, strategy: str, summary: str) -> None:
    """Begin the fix on first use, so a strategy that changes nothing leaves no empty fix row."""
    if getattr(context.fixes, "fix_id", None) is None:
        context.fixes.begin(strategy, summary)


def open_fixes(contexts: Sequence[StrategyContext], strategy: str, summaries: Sequence[str]) -> None:
    """``open_fix`` for the contexts of one set-based attempt: one bulk insert of their fix rows."""
    fresh = [(c, summary) for c, summary in zip(contexts, summaries, strict=True)
             if getattr(c.fixes, "fix_id", None) is None]
    if fresh and all(isinstance(c.fixes, FixRecorder) for c, _summary in fresh):
        FixRecorder.begin_many([c.fixes for c, _summary in fresh], strategy,  # type: ignore[misc]
                               [summary for _c, summary in fresh])
        return
    for context, summary in fresh:
        context.fixes.begin(strategy, summary)


def record_inserted_of(recorded: Sequence[tuple[StrategyContext, str, list[tuple[int, str | None, dict[str, Any]]]]],
                       ) -> None:
    """``record_inserted`` for the contexts of one set-based attempt: one bulk insert of their fix actions."""
    if all(isinstance(c.fixes, FixRecorder) for c, _table, _rows in recorded):
        FixRecorder.inserted_many_of([(c.fixes, table, rows) for c, table, rows in recorded])  # type: ignore[misc]
        return
    for context, table, rows in recorded:
        record_inserted(context, table, rows)


def revive_tombstone(context: StrategyContext, record: TurnoutRecord, *, strategy: str, summary: str) -> None:
    """Make an undo tombstone active again (instead of inserting its identity twice) and record it."""
    open_fix(context, strategy, summary)
    before = snapshot(record, REMOVAL_FIELDS)
    if not context.dry_run:
        record.removed_at = None
        record.removed_by_fix = None
    context.fixes.updated(RECORD_TABLE, record.id, record.vuid, before, {"removed_at": None, "removed_by_fix": None})


def record_inserted(context: StrategyContext, table: str, rows: list[tuple[int, str | None, dict[str, Any]]]) -> None:
    """Record inserted rows, in one bulk write when the recorder offers ``inserted_many``."""
    many = getattr(context.fixes, "inserted_many", None)
    if callable(many):
        many(table, rows)
        return
    for record_id, vuid, after in rows:
        context.fixes.inserted(table, record_id, vuid, after)


def soft_remove(context: StrategyContext, record: TurnoutRecord, now: dt.datetime, *, strategy: str,
                summary: str) -> None:
    """Soft-delete one record (never a hard delete) and record it."""
    open_fix(context, strategy, summary)
    before = snapshot(record, REMOVAL_FIELDS)
    fix_id = _fix_id(context.fixes)
    after = {"removed_at": to_json_value(now), "removed_by_fix": fix_id}
    if not context.dry_run:
        record.removed_at = now
        record.removed_by_fix = fix_id
    context.fixes.removed(RECORD_TABLE, record.id, record.vuid, before, after)


def _fix_id(fixes: Any) -> int | None:
    """The open fix id of a recorder (None in a dry run)."""
    value = getattr(fixes, "fix_id", None)
    return value or None


def preview_of(fixes: Any) -> list[dict[str, Any]]:
    """The recorder's preview, if it offers one."""
    preview = getattr(fixes, "preview", None)
    return preview() if callable(preview) else []


def left_to_check(context: StrategyContext, record: TurnoutRecord) -> bool:
    """True for a statewide record this login may not change (a clerk's: the database refuses it); the
    service's scheduled check makes that change instead."""
    return record.source == STATEWIDE and not context.may_change_statewide


def message_with_left(done: str, refused: str | None) -> str:
    """``done`` as the attempt's message; led by the marker the scheduled check re-runs a county for when the
    login left statewide records alone (``refused``: what it may not do, e.g. "remove 2 duplicate statewide
    record(s)")."""
    if refused:
        return f"{STATEWIDE_RECORDS_LEFT_TO_CHECK}: this login may not {refused}; {done}"
    return done[0].upper() + done[1:]


def result(context: StrategyContext, message: str, *, inserted: int = 0, removed: int = 0,
           reassigned: int = 0, updated: int = 0) -> StrategyResult:
    """A StrategyResult carrying the fix id (None in a dry run or when nothing changed) and preview."""
    changed = inserted + removed + reassigned + updated
    fix_id = _fix_id(context.fixes) if changed and not context.dry_run else None
    prefix = "Dry run: would change" if context.dry_run else "Changed"
    return StrategyResult(applied=changed > 0, message=f"{message} ({prefix} {changed} row(s))",
                          fix_id=fix_id, inserted=inserted, removed=removed, reassigned=reassigned,
                          updated=updated, preview=preview_of(context.fixes))
