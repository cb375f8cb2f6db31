"""Failing-VUID evidence for a discrepancy, located in the county upload or the statewide file.

``reconciliation_log.diagnosis_details`` maps a diagnosis code to its evidence. Accepted shapes per
code (the engine writes complete VUID lists): a list of VUID strings; a list of dicts with a
``vuid`` key (other keys such as ``precinct``/``row_no``/``source_file`` are used when present);
or a dict with a ``vuids`` list plus scalar facts (``count``, ``note``...). Anything else becomes
one note row, so nothing the engine recorded is silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db.models import CountyRosterRow, SourceFile, Submission, TurnoutRecord
from turnout_desktop.reports.model import Evidence

_IN_CHUNK = 500  # bound parameters per IN list, well under SQLite's limit
_VUID_LIST_KEYS = ("vuids", "items", "records", "rows")


def _facts_note(facts: dict[str, Any]) -> str | None:
    scalar = {key: value for key, value in facts.items() if key not in _VUID_LIST_KEYS}
    return json.dumps(scalar, sort_keys=True, default=str, ensure_ascii=False) if scalar else None


def _items_of(evidence: Any) -> tuple[list[dict[str, Any]], str | None]:
    """Split one code's evidence into per-VUID items and a note with the remaining facts."""
    if isinstance(evidence, dict):
        for key in _VUID_LIST_KEYS:
            if isinstance(evidence.get(key), list):
                nested, _ = _items_of(evidence[key])
                return nested, _facts_note(evidence)
        return [], _facts_note(evidence)
    if isinstance(evidence, list):
        items: list[dict[str, Any]] = []
        for entry in evidence:
            if isinstance(entry, dict) and entry.get("vuid") is not None:
                items.append(entry)
            elif isinstance(entry, str):  # ints are ids (e.g. submission_ids), not VUIDs
                items.append({"vuid": str(entry)})
        return items, None
    if evidence is None:
        return [], None
    return [], json.dumps(evidence, default=str, ensure_ascii=False)


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start:start + _IN_CHUNK]


def _locate(session: Session, election: dt.date, county: str,
            vuids: list[str]) -> dict[str, tuple[str | None, str | None, int | None]]:
    """(precinct, source file name, row) per VUID: the current county upload first, then statewide."""
    found: dict[str, tuple[str | None, str | None, int | None]] = {}
    for chunk in _chunks(vuids):
        roster = session.execute(
            select(CountyRosterRow.vuid, CountyRosterRow.precinct, SourceFile.name, CountyRosterRow.row_no)
            .join(SourceFile, SourceFile.id == CountyRosterRow.source_file_id)
            .join(Submission, Submission.id == CountyRosterRow.submission_id)
            .where(CountyRosterRow.election_date == election, CountyRosterRow.county == county,
                   Submission.superseded_at.is_(None), CountyRosterRow.vuid.in_(chunk))
            .order_by(CountyRosterRow.id)
        )
        for vuid, precinct, file_name, row_no in roster:
            if vuid is not None:  # always: the query asks for listed VUIDs
                found.setdefault(vuid, (precinct, file_name, row_no))
        missing = [vuid for vuid in chunk if vuid not in found]
        if not missing:
            continue
        records = session.execute(
            select(TurnoutRecord.vuid, TurnoutRecord.precinct, SourceFile.name)
            .outerjoin(SourceFile, SourceFile.id == TurnoutRecord.source_file_id)
            .where(TurnoutRecord.election_date == election, TurnoutRecord.vuid.in_(missing))
            .order_by(TurnoutRecord.id)
        )
        for vuid, precinct, file_name in records:
            found.setdefault(vuid, (precinct, file_name, None))
    return found


def collect_evidence(session: Session, election: dt.date, county: str,
                     details: dict[str, Any] | None, *, limit: int | None = None) -> tuple[list[Evidence], int]:
    """Evidence rows for one log entry's ``diagnosis_details``.

    Args:
        session: open session.
        election: election date of the log entry.
        county: county of the log entry.
        details: ``reconciliation_log.diagnosis_details``.
        limit: keep at most this many VUID rows per code (None: all of them).

    Returns:
        The evidence rows (codes in sorted order, VUIDs in the engine's order) and the total number
        of failing VUIDs named, before any limit.
    """
    if not details:
        return [], 0
    per_code: list[tuple[str, list[dict[str, Any]], str | None]] = []
    total = 0
    for code in sorted(details):
        items, note = _items_of(details[code])
        total += len(items)
        per_code.append((code, items if limit is None else items[:limit], note))
    wanted = sorted({str(item["vuid"]) for _, items, _ in per_code for item in items})
    located = _locate(session, election, county, wanted) if wanted else {}
    rows: list[Evidence] = []
    for code, items, note in per_code:
        if note is not None:
            rows.append(Evidence(code=code, vuid=None, precinct=None, source_file=None, row_no=None, note=note))
        for item in items:
            vuid = str(item["vuid"])
            precinct, file_name, row_no = located.get(vuid, (None, None, None))
            row_value = item.get("row_no", row_no)
            rows.append(Evidence(
                code=code, vuid=vuid,
                precinct=item.get("precinct") or precinct,
                source_file=item.get("source_file") or file_name,
                row_no=int(row_value) if isinstance(row_value, int | str) and str(row_value).isdigit() else None,
                note=item.get("note"),
            ))
    return rows, total
