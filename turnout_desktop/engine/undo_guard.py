"""What an undo may touch: only rows of the fix's own county, only the columns strategies change.

On a shared server a clerk's reconciliation writes its own ``fix`` and ``fix_action`` rows
(``fix.created_by`` is forced to the login by the database), so an admin's undo must not trust a
clerk's fix blindly: a hand-made action could otherwise point at another county's
record or official count, or carry a ``before`` that rewrites any column. Every action is checked
before anything is reversed; one bad action refuses the whole undo. Another county's row is fine where
the data shows this fix made the change (a duplicate it removed carries ``removed_by_fix``, a record it
created ``created_by_fix``): row-level security lets a clerk set neither on another county's rows.
A clerk's fix never touches a statewide record or file, nor a county its login is not granted: such an
action was written by hand, for the admin's undo to make a change the clerk's login may not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from turnout_desktop.db.models import Fix, FixAction, TurnoutRecord

# Columns a strategy records in before/after of an update (strategies/_common.py, fix_districts.py,
# data_format.py, refetch_statewide.py); an undo restores these and nothing else. A plugin strategy is
# bound by the same list: an undo of its fix that would restore another column is refused (the Strategy
# protocol in engine/types.py says so; tests/engine/test_plugin_undo_columns.py).
UNDOABLE_COLUMNS: dict[str, frozenset[str]] = {
    "turnout_record": frozenset({"removed_at", "removed_by_fix", "county", "district", "county_fallback"}),
    "county_roster_row": frozenset({"party", "voting_method", "vuid", "vuid_raw", "precinct", "vote_date",
                                    "problem_code"}),
    "county_turnout_reference": frozenset({"official_count"}),
    "source_file": frozenset({"status", "parser", "encoding"}),
}
ACTION_INSERT = "insert"
COUNTY_FILE_KINDS = ("county_roster", "county_summary")  # the only files a clerk's login writes


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
    maker = _maker(session, fix)
    statewide = _statewide_row(session, fix, action, row) if maker is not None else None
    if statewide is not None:
        return statewide
    if isinstance(row, TurnoutRecord) and action.action == ACTION_INSERT:
        # A statewide import adds every county's records; what counts is that this fix made them.
        return None if row.created_by_fix == fix.id else f"record {row.id} was not created by this fix"
    county = getattr(row, "county", None)
    if county is not None and fix.county is not None:
        named = {county, (action.before or {}).get("county"), (action.after or {}).get("county")}
        named = {name for name in named if isinstance(name, str) and name}
        # A login's fix: every county the action names must be one that login could change (row-level
        # security); naming the fix's county once is not enough, a before of {"county": own} would pull
        # another county's row over. A maker that is no login (gone, or named by the owner): the fix's
        # county must be among them.
        if maker is not None:
            foreign = named - maker
        else:
            foreign = set() if fix.county in named else named
        removed_by_it = isinstance(row, TurnoutRecord) and row.removed_by_fix == fix.id
        if foreign and not removed_by_it and not _revived_by_its_importer(session, fix, action, row):
            return (f"its {action.action} of {action.table_name} row {action.record_id} concerns "
                    f"{', '.join(sorted(foreign))}, not {fix.county}")
    if action.action == ACTION_INSERT and action.table_name == "source_file":
        importer = session.execute(select(TurnoutRecord.created_by_fix).where(
            TurnoutRecord.source_file_id == row.id).limit(1)).scalar()
        if importer is not None and importer != fix.id:
            return f"source file {row.id} was not imported by this fix"
    return None


def _maker(session: Session, fix: Fix) -> set[str] | None:
    """The counties the fix's maker could change: its own county and its login's grants now; None when
    the maker is no login of the cluster (read once per fix and session: an undo checks every action)."""
    from turnout_desktop.db.models import CountyGrant

    key = ("undo_guard.maker", fix.id)
    if key not in session.info:
        is_login = fix.created_by is not None and session.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :who"), {"who": fix.created_by}).first() is not None
        granted = session.execute(select(CountyGrant.county).where(CountyGrant.login == fix.created_by)).scalars()
        session.info[key] = {*granted, *([fix.county] if fix.county else [])} if is_login else None
    counties: set[str] | None = session.info[key]
    return counties


def _statewide_row(session: Session, fix: Fix, action: FixAction, row: Any) -> str | None:
    """Why a clerk's fix may not touch this statewide record or file (None: it is not one, or the fix
    demonstrably made the change). A clerk's login changes neither (db/pg_security.py), so such an
    action can only have been written by hand, for an admin's undo to make the change instead."""
    from turnout_desktop.db.models import SourceFile, Submission, SubmissionFile

    if isinstance(row, SourceFile) and row.kind not in COUNTY_FILE_KINDS:
        return f"source file {row.id} is a {row.kind} file, which a clerk's login does not change"
    if isinstance(row, SourceFile) and row.uploaded_by != fix.created_by and not session.execute(
            select(Submission.id).join(SubmissionFile, SubmissionFile.submission_id == Submission.id).where(
                SubmissionFile.source_file_id == row.id, Submission.county.in_(_maker(session, fix) or set()))
            .limit(1)).first():
        return f"source file {row.id} is not an upload of {fix.county}"
    if (isinstance(row, TurnoutRecord) and row.source == "statewide" and action.action != ACTION_INSERT
            and row.removed_by_fix != fix.id and not _revived_by_its_importer(session, fix, action, row)):
        return f"record {row.id} is a statewide record, which a clerk's login does not change"
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
