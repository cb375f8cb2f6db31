"""What an undo may touch: only rows of the fix's own county, only the columns strategies change.

On a shared server a clerk's reconciliation writes its own ``fix`` and ``fix_action`` rows
(``fix.created_by`` is forced to the login by the database), so an admin's undo must not trust a
clerk's fix blindly: a hand-made action could otherwise point at another county's
record or official count, or carry a ``before`` that rewrites any column. Every action is checked
before anything is reversed; one bad action refuses the whole undo. Another county's row is fine where
the data shows this fix made the change (a duplicate it removed carries ``removed_by_fix``, a record it
created ``created_by_fix``): row-level security lets a clerk set neither on another county's rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from turnout_desktop.db.models import Fix, FixAction, TurnoutRecord

# Columns a strategy records in before/after of an update (strategies/_common.py, fix_districts.py,
# data_format.py, refetch_statewide.py); an undo restores these and nothing else.
UNDOABLE_COLUMNS: dict[str, frozenset[str]] = {
    "turnout_record": frozenset({"removed_at", "removed_by_fix", "county", "district", "county_fallback"}),
    "county_roster_row": frozenset({"party", "voting_method", "vuid", "vuid_raw", "precinct", "vote_date",
                                    "problem_code"}),
    "county_turnout_reference": frozenset({"official_count"}),
    "source_file": frozenset({"status", "parser", "encoding"}),
}
ACTION_INSERT = "insert"


def maker_is_trusted(session: Session, fix: Fix) -> bool:
    """True when the fix was made where every row may be written: SQLite (one office), the owner, an admin
    or the service login. A clerk's fix (or one whose maker is gone) is checked row by row."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    if fix.created_by is None:
        return False
    return bool(session.execute(text(
        "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :who AND rolsuper) OR EXISTS ("
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "WHERE u.rolname = :who AND g.rolname IN ('turnout_admin', 'turnout_service')) OR :who = "
        "(SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'fix'::regclass)"), {"who": fix.created_by}
    ).scalar())


def refusal(session: Session, fix: Fix, action: FixAction, row: Any, *, trusted: bool) -> str | None:
    """Why this action may not be reversed by an undo of ``fix``, or None when it may."""
    allowed = UNDOABLE_COLUMNS.get(action.table_name)
    if allowed is None:
        return f"it touched table {action.table_name!r}"
    if action.action != ACTION_INSERT:
        extra = set(action.before or {}) - allowed
        if extra:
            return f"its {action.table_name} row {action.record_id} would restore {', '.join(sorted(extra))}"
    if trusted:
        return None
    if isinstance(row, TurnoutRecord) and action.action == ACTION_INSERT:
        # A statewide import adds every county's records; what counts is that this fix made them.
        return None if row.created_by_fix == fix.id else f"record {row.id} was not created by this fix"
    county = getattr(row, "county", None)
    if county is not None and fix.county is not None:
        named = {county, (action.before or {}).get("county"), (action.after or {}).get("county")}
        removed_by_it = isinstance(row, TurnoutRecord) and row.removed_by_fix == fix.id
        if fix.county not in named and not removed_by_it and not _revived_by_its_importer(session, fix, action, row):
            return (f"its {action.action} of {action.table_name} row {action.record_id} concerns {county}, not "
                    f"{fix.county}")
    if action.action == ACTION_INSERT and action.table_name == "source_file":
        maker = session.execute(select(TurnoutRecord.created_by_fix).where(
            TurnoutRecord.source_file_id == row.id).limit(1)).scalar()
        if maker is not None and maker != fix.id:
            return f"source file {row.id} was not imported by this fix"
    return None


def _revived_by_its_importer(session: Session, fix: Fix, action: FixAction, row: Any) -> bool:
    """Strategy A re-fetching an undone statewide file revives records of every county; such an update is
    genuine only when the fix's maker imported that file (a clerk can neither import one nor name
    another login as a fix's maker)."""
    from turnout_desktop.db.models import SourceFile

    if not isinstance(row, TurnoutRecord) or set(action.before or {}) - {"removed_at", "removed_by_fix"}:
        return False
    source = session.get(SourceFile, row.source_file_id) if row.source_file_id is not None else None
    return source is not None and source.kind == "statewide" and source.uploaded_by == fix.created_by
