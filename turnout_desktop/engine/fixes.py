"""Recording and undoing fixes: every row a strategy changes goes to ``fix_action`` (docs/reliability.md T11).

Undo semantics (documented choice):

- ``remove`` / ``reassign`` / ``update`` actions are reversed by writing the recorded ``before``
  values back, so every pre-existing row is restored column for column.
- an ``insert`` into ``turnout_record`` is reversed by a *tombstone*: the row stays, with
  ``removed_at`` set and ``removed_by_fix`` equal to the undone fix (which also created it). The
  active set is then exactly what it was before the fix, and no record row ever disappears. A later
  insert of the same identity revives the tombstone instead of inserting (``is_undo_tombstone``).
- an ``insert`` into ``source_file`` is reversed by setting its ``status`` to ``undone`` (so the
  file may be fetched again); an insert into any other table (derived rows such as a
  ``county_turnout_reference`` row strategy E created) is reversed by deleting that row.

A fix can be undone once, and only while no later, not-undone fix touched one of its rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Date, DateTime, func, insert, select
from sqlalchemy.orm import Session

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.models import (
    Base,
    CountyRosterRow,
    CountyTurnoutReference,
    Fix,
    FixAction,
    SourceFile,
    TurnoutRecord,
    utcnow,
)
from turnout_desktop.engine import undo_guard
from turnout_desktop.engine.certification import refuse_if_certified
from turnout_desktop.errors import NotFound, TurnoutError

ACTION_INSERT = "insert"
ACTION_REMOVE = "remove"
ACTION_REASSIGN = "reassign"
ACTION_UPDATE = "update"
SOURCE_FILE_UNDONE = "undone"
PREVIEW_LIMIT = 50

# Tables a fix may touch, by the name stored in fix_action.table_name.
TABLES: dict[str, type[Base]] = {
    "turnout_record": TurnoutRecord,
    "county_roster_row": CountyRosterRow,
    "county_turnout_reference": CountyTurnoutReference,
    "source_file": SourceFile,
}
# Columns never copied into before/after snapshots (bytes, identity).
_SNAPSHOT_SKIP = {"id", "content"}


class UndoRefused(TurnoutError):
    """The fix cannot be undone (already undone, or a later fix changed the same rows)."""


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    """What ``undo_fix`` reversed; ``asdict`` of it is the ``fix_undone`` audit event's details."""

    fix_id: int
    strategy: str
    county: str | None
    reversed: int
    by_action: dict[str, int]  # action -> rows reversed


def to_json_value(value: Any) -> Any:
    """A column value as JSON (dates and datetimes as ISO text)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(row: Base, columns: list[str] | None = None) -> dict[str, Any]:
    """JSON-safe values of ``columns`` (default: every column but id and bytes) of one ORM row."""
    names = columns or [c.key for c in row.__mapper__.column_attrs if c.key not in _SNAPSHOT_SKIP]
    return {name: to_json_value(getattr(row, name)) for name in names}


def _from_json_value(model: type[Base], name: str, value: Any) -> Any:
    """Inverse of ``to_json_value`` using the column type of ``model.name``."""
    if value is None or not isinstance(value, str):
        return value
    column_type = model.__table__.columns[name].type
    if isinstance(column_type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return dt.date.fromisoformat(value)
    return value


def apply_snapshot(row: Base, values: dict[str, Any]) -> None:
    """Write snapshot ``values`` back onto ``row`` (types restored from the model)."""
    model = type(row)
    for name, value in values.items():
        setattr(row, name, _from_json_value(model, name, value))


def is_undo_tombstone(record: TurnoutRecord) -> bool:
    """True when the record is removed only because the fix that inserted it was undone."""
    return record.removed_at is not None and record.created_by_fix is not None \
        and record.removed_by_fix == record.created_by_fix


class FixRecorder:
    """Implements ``FixRecorderProtocol``: one ``fix`` row plus one ``fix_action`` per changed row.

    In a dry run nothing is written: actions are only collected (``actions``) for the preview.
    All writes happen in the caller's session, i.e. in the attempt's transaction.
    """

    def __init__(self, session: Session, *, election_date: dt.date, county: str | None, party: str | None,
                 log_id: int | None = None, user: str = "engine", dry_run: bool = False) -> None:
        self.session = session
        self.election_date = election_date
        self.county = county
        self.party = party
        self.log_id = log_id
        self.user = user
        self.dry_run = dry_run
        self.fix_id: int | None = None
        self.strategy: str | None = None
        self.actions: list[dict[str, Any]] = []  # every action (dry run and real), in order
        self.counts: dict[str, int] = {ACTION_INSERT: 0, ACTION_REMOVE: 0, ACTION_REASSIGN: 0, ACTION_UPDATE: 0}

    def begin(self, strategy: str, summary: str) -> int:
        """Open the fix; returns its id (0 in a dry run, where no row is written)."""
        self.strategy = strategy
        if self.dry_run:
            self.fix_id = 0
            return 0
        fix = Fix(strategy=strategy, county=self.county, election_date=self.election_date, party=self.party,
                  log_id=self.log_id, created_by=self.user, summary=summary)
        self.session.add(fix)
        self.session.flush()
        self.fix_id = fix.id
        return fix.id

    @staticmethod
    def begin_many(recorders: Sequence[FixRecorder], strategy: str, summaries: Sequence[str]) -> None:
        """``begin`` for many recorders of one set-based attempt: their fix rows in one bulk insert."""
        rows = []
        for recorder, summary in zip(recorders, summaries, strict=True):
            recorder.strategy = strategy
            if recorder.dry_run:
                recorder.fix_id = 0
                continue
            rows.append({"strategy": strategy, "county": recorder.county, "election_date": recorder.election_date,
                         "party": recorder.party, "log_id": recorder.log_id, "created_by": recorder.user,
                         "summary": summary})
        if not rows:
            return
        live = [recorder for recorder in recorders if not recorder.dry_run]
        statement = insert(Fix).returning(Fix.id, sort_by_parameter_order=True)
        for recorder, fix_id in zip(live, live[0].session.execute(statement, rows).scalars(), strict=True):
            recorder.fix_id = fix_id

    @staticmethod
    def inserted_many_of(recorded: Sequence[tuple[FixRecorder, str, Sequence[tuple[int, str | None, dict[str, Any]]]]],
                         ) -> None:
        """``inserted_many`` for many recorders at once: all their ``fix_action`` rows in one executemany.

        Args:
            recorded: ``(recorder, table, rows)`` per recorder.
        """
        values: list[dict[str, Any]] = []
        for recorder, table, rows in recorded:
            if not rows:
                continue
            if recorder.fix_id is None:
                raise RuntimeError("FixRecorder.begin() must be called before recording actions")
            entries = [{"action": ACTION_INSERT, "table_name": table, "record_id": record_id, "vuid": vuid,
                        "before": None, "after": after} for record_id, vuid, after in rows]
            recorder.actions.extend(entries)
            recorder.counts[ACTION_INSERT] += len(entries)
            if not recorder.dry_run:
                values.extend({"fix_id": recorder.fix_id, **entry} for entry in entries)
        if values:
            session = recorded[0][0].session
            session.flush()  # earlier ORM-recorded actions keep their lower ids (undo order)
            session.execute(insert(FixAction), values)

    def _record(self, action: str, table: str, record_id: int | None, vuid: str | None,
                before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        if self.fix_id is None:
            raise RuntimeError("FixRecorder.begin() must be called before recording actions")
        entry = {"action": action, "table_name": table, "record_id": record_id, "vuid": vuid,
                 "before": before, "after": after}
        self.actions.append(entry)
        self.counts[action] += 1
        if not self.dry_run:
            self.session.add(FixAction(fix_id=self.fix_id, **entry))

    def inserted(self, table: str, record_id: int, vuid: str | None, after: dict[str, Any]) -> None:
        self._record(ACTION_INSERT, table, record_id, vuid, None, after)

    def inserted_many(self, table: str, rows: Sequence[tuple[int, str | None, dict[str, Any]]]) -> None:
        """Record many inserted rows at once: one bulk INSERT of their ``fix_action`` rows.

        Same result as calling ``inserted`` per row, without one ORM object (and flush work) per row,
        which dominated set-based strategies that insert tens of thousands of records.

        Args:
            table: ``fix_action.table_name`` of the rows.
            rows: ``(record_id, vuid, after)`` per inserted row.
        """
        FixRecorder.inserted_many_of([(self, table, rows)])

    def removed(self, table: str, record_id: int, vuid: str | None, before: dict[str, Any],
                after: dict[str, Any] | None = None) -> None:
        """Record a soft delete; ``before``/``after`` hold the removal columns (after defaults to now/this fix)."""
        if after is None:
            after = {"removed_at": to_json_value(utcnow()), "removed_by_fix": self.fix_id}
        self._record(ACTION_REMOVE, table, record_id, vuid, before, after)

    def reassigned(self, table: str, record_id: int, vuid: str | None,
                   before: dict[str, Any], after: dict[str, Any]) -> None:
        self._record(ACTION_REASSIGN, table, record_id, vuid, before, after)

    def updated(self, table: str, record_id: int, vuid: str | None,
                before: dict[str, Any], after: dict[str, Any]) -> None:
        self._record(ACTION_UPDATE, table, record_id, vuid, before, after)

    def preview(self, limit: int = PREVIEW_LIMIT) -> list[dict[str, Any]]:
        """The first ``limit`` actions, for dry runs and the GUI."""
        return self.actions[:limit]


def fix_counties(session: Session, fix_id: int) -> dict[str, int]:
    """How many records of each county one fix changed (a reassigned record counts in both counties)."""
    return fixes_counties(session, [fix_id]).get(fix_id, {})


def fixes_counties(session: Session, fix_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """``fix_counties`` of many fixes in two queries: ``{fix_id: {county: records changed}}``."""
    counts: dict[int, dict[str, int]] = {}
    for start in range(0, len(fix_ids), 500):
        chunk = list(fix_ids[start:start + 500])
        rows = session.execute(
            select(FixAction.fix_id, TurnoutRecord.county, func.count())
            .join(FixAction, FixAction.record_id == TurnoutRecord.id)
            .where(FixAction.fix_id.in_(chunk), FixAction.table_name == "turnout_record")
            .group_by(FixAction.fix_id, TurnoutRecord.county))
        for fix_id, county, count in rows:
            counts.setdefault(fix_id, {})[county] = int(count)
        moved = session.execute(select(FixAction.fix_id, FixAction.before, FixAction.after).where(
            FixAction.fix_id.in_(chunk), FixAction.table_name == "turnout_record",
            FixAction.action == ACTION_REASSIGN))
        for fix_id, before, after in moved:
            left = (before or {}).get("county")  # the county a reassigned record left
            if left and left != (after or {}).get("county", left):
                per_fix = counts.setdefault(fix_id, {})
                per_fix[left] = per_fix.get(left, 0) + 1
    return counts


def _later_conflicts(session: Session, fix: Fix, actions: list[FixAction]) -> list[int]:
    """Ids of later, not-undone fixes that acted on one of ``actions``' rows."""
    touched = {(a.table_name, a.record_id) for a in actions if a.record_id is not None}
    if not touched:
        return []
    later = session.execute(
        select(FixAction.fix_id, FixAction.table_name, FixAction.record_id)
        .join(Fix, Fix.id == FixAction.fix_id)
        .where(Fix.id > fix.id, Fix.undone_at.is_(None))
    ).all()
    return sorted({fix_id for fix_id, table, record_id in later if (table, record_id) in touched})


def _reverse(session: Session, fix: Fix, action: FixAction, now: dt.datetime) -> None:
    """Undo one action (see the module docstring for the rules)."""
    model = TABLES.get(action.table_name)
    if model is None:
        raise UndoRefused(f"Fix {fix.id} touched unknown table {action.table_name!r}; it cannot be undone.")
    row = session.get(model, action.record_id)
    if row is None:
        raise UndoRefused(f"Fix {fix.id}: {action.table_name} row {action.record_id} no longer exists.")
    if action.action == ACTION_INSERT:
        if isinstance(row, TurnoutRecord):
            row.removed_at = now
            row.removed_by_fix = fix.id
        elif isinstance(row, SourceFile):
            row.status = SOURCE_FILE_UNDONE
        else:
            session.delete(row)  # a derived row the fix created (not a vote record)
    else:
        apply_snapshot(row, action.before or {})


def _counties_of(action: FixAction, row: Base | None) -> set[str]:
    """The counties one action's row belongs to: before, after and now (a reassignment moves a record)."""
    values = [(action.before or {}).get("county"), (action.after or {}).get("county"),
              getattr(row, "county", None) if row is not None else None]
    return {value for value in values if isinstance(value, str) and value}


def undo_fix(session: Session, fix_id: int, user: str, *, role: str | None = None,
             reason: str | None = None) -> UndoOutcome:
    """Reverse every action of a fix, inside the caller's transaction, and write an audit event.

    Args:
        session: an open session inside a transaction (the caller commits).
        fix_id: the fix to undo.
        user: who undoes it (stored in ``fix.undone_by`` and the audit event).
        role: the user's role, for the audit event.
        reason: the admin's written reason, for the audit event.

    Returns:
        The fix, its strategy and county, how many actions were reversed, and that count by action.

    Raises:
        NotFound: no such fix.
        UndoRefused: already undone, or a later fix that is not undone touched the same rows.
        Certified: the fix's county, or a county whose rows it touched, is certified (nothing is reversed).
    """
    fix = session.get(Fix, fix_id)
    if fix is None:
        raise NotFound(f"Fix {fix_id} does not exist.")
    if fix.undone_at is not None:
        raise UndoRefused(f"Fix {fix_id} was already undone by {fix.undone_by} at {fix.undone_at:%Y-%m-%d %H:%M}.")
    actions = list(session.execute(
        select(FixAction).where(FixAction.fix_id == fix_id).order_by(FixAction.id)).scalars())
    conflicts = _later_conflicts(session, fix, actions)
    if conflicts:
        named = ", ".join(str(c) for c in conflicts)
        raise UndoRefused(f"Fix {fix_id} cannot be undone: later fix(es) {named} changed the same rows; "
                          f"undo those first.")
    trusted = undo_guard.maker_is_trusted(session, fix)
    touched_counties = {fix.county} if fix.county else set()
    for action in actions:  # every action checked before any is reversed
        model = TABLES.get(action.table_name)
        row = session.get(model, action.record_id) if model is not None else None
        refused = undo_guard.refusal(session, fix, action, row, trusted=trusted) if row is not None else None
        if refused is not None:
            raise UndoRefused(f"Fix {fix_id} cannot be undone: {refused}.")
        touched_counties |= _counties_of(action, row)
    # No county at all: only a whole-election certification locks the fix (None stands for the election).
    refuse_if_certified(session, fix.election_date, touched_counties or {None}, f"undo of fix {fix_id}")
    now = utcnow()
    by_action: dict[str, int] = {}
    for action in reversed(actions):  # newest first, so chained changes unwind in order
        _reverse(session, fix, action, now)
        by_action[action.action] = by_action.get(action.action, 0) + 1
    fix.undone_at = now
    fix.undone_by = user
    session.flush()
    outcome = UndoOutcome(fix_id=fix.id, strategy=fix.strategy, county=fix.county, reversed=len(actions),
                          by_action=by_action)
    because = f": {reason}" if reason else ""
    details = asdict(outcome)
    record_event(session, "fix_undone", f"Fix {fix.id} ({fix.strategy}) undone: {len(actions)} row(s) restored"
                 f"{because}", user=user, role=role, county=fix.county, election_date=fix.election_date,
                 details={**details, "reason": reason} if reason else details)
    return outcome
