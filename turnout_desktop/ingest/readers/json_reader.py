"""JSON files: the Civix portal's ``{"upload": "<base64>"}`` envelope and JSON tables of records.

Every Civix response (docs/data-formats.md 2.2) is JSON whose ``upload`` holds base64 of a JSON document,
CSV text or a ZIP. The JSON documents carry one list of flat records, e.g. ``turnout_by_county`` (one
row per county: ``name``, ``registered_voters``, ``in_person_votes_on_date``,
``total_in_person_votes_for_election``, ``total_mail_votes_for_election``) beside scalars such as
``early_voting_date``. Such a list becomes one sheet (keys as the header row); the scalars only name
the sheet: ``early_voting_date`` null means the election-day feed, a date an early-voting day, so the
method hints and the election-day split of the summary reader work as for a CSV export of the feed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers import safety
from turnout_desktop.ingest.readers.raw import RawSheet, RawWorkbook

ReadAny = Callable[[bytes, str], list[RawWorkbook]]
_SCALARS = (str, int, float, bool, type(None))


def looks_like_json(data: bytes) -> bool:
    """True when the text starts like a JSON object or array (after a BOM and whitespace)."""
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith((b"{", b"["))


def _document(data: bytes) -> tuple[bool, Any]:
    """``(True, document)`` when the bytes are one valid JSON document, else ``(False, the error)``."""
    try:
        return True, json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        return False, error


def _payload(document: Any, file_name: str) -> bytes | None:
    """The decoded ``upload`` of a Civix envelope document, or None when the document is not one.

    Raises:
        ImportRejected: an envelope whose ``upload`` is not base64 or is empty.
    """
    if not (isinstance(document, dict) and isinstance(document.get("upload"), str)):
        return None
    try:
        payload = base64.b64decode(document["upload"], validate=True)
    except (binascii.Error, ValueError):
        raise ImportRejected("the upload envelope does not hold base64", reason="malformed_json",
                             file=file_name) from None
    if not payload:
        raise ImportRejected("the upload envelope is empty", reason="empty", file=file_name)
    return payload


def envelope_payload(data: bytes, file_name: str) -> bytes | None:
    """The decoded ``upload`` of a Civix envelope, or None when ``data`` is not one.

    Raises:
        ImportRejected: an envelope whose ``upload`` is not base64 or is empty; ``too_large`` for a JSON
            file above the limit (``safety.check_json_size``), before it is parsed.
    """
    if not looks_like_json(data):
        return None
    safety.check_json_size(len(data), file_name)
    parsed, document = _document(data)
    return _payload(document, file_name) if parsed else None


def read_json(data: bytes, file_name: str, read_payload: ReadAny, *, in_envelope: bool = False,
              required: bool = True) -> list[RawWorkbook] | None:
    """Workbooks from a JSON file: the decoded payload of an envelope, else the document's table.

    Args:
        data: the file's bytes (UTF-8, BOM allowed).
        file_name: display name.
        read_payload: reads decoded envelope bytes (``registry._read_any`` at the same depth).
        in_envelope: True for a payload that came out of an envelope (a second envelope is refused).
        required: the file must be JSON (its name says ``.json``); when False, bytes that do not parse
            give None, so a text file starting with ``[`` is read as text instead.

    Raises:
        ImportRejected: ``malformed_json``, or ``unsupported_format`` when no table of records is found.
    """
    parsed, document = _document(data)
    if not parsed:
        if not required:
            return None
        raise ImportRejected(f"the JSON cannot be read ({type(document).__name__}: {document})"[:300],
                             reason="malformed_json", file=file_name)
    payload = _payload(document, file_name)
    if payload is not None:
        if in_envelope:
            raise ImportRejected("an upload envelope inside an upload envelope is not accepted",
                                 reason="unsupported_format", file=file_name)
        return read_payload(payload, file_name)
    records, scalars = _records(document)
    if not records:
        raise ImportRejected("the JSON holds no table (a list of records with the same keys)",
                             reason="unsupported_format", file=file_name)
    return [RawWorkbook(file_name=file_name, parser="json", encoding="utf-8", content=data,
                        sheets=[_sheet(records, _sheet_name(scalars))])]


def _records(document: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The document's list of records (a top-level list, or the longest list of objects in an object)."""
    if isinstance(document, list):
        return [r for r in document if isinstance(r, dict)], {}
    if not isinstance(document, dict):
        return [], {}
    lists = [value for value in document.values()
             if isinstance(value, list) and value and all(isinstance(item, dict) for item in value)]
    scalars = {key: value for key, value in document.items() if isinstance(value, _SCALARS)}
    return (max(lists, key=len) if lists else []), scalars


def _sheet_name(scalars: dict[str, Any]) -> str:
    """A sheet name that carries the feed's method: Civix's election-day feed has no early-voting date."""
    if "early_voting_date" not in scalars:
        return ""
    day = scalars["early_voting_date"]
    return "Election Day turnout" if day in (None, "") else f"Early Voting turnout {day}"


def _sheet(records: list[dict[str, Any]], name: str) -> RawSheet:
    """Header row of the keys (first seen first; nested values left out), then one row per record."""
    keys: dict[str, None] = {}
    for record in records:
        for key, value in record.items():
            if isinstance(value, _SCALARS):
                keys.setdefault(str(key), None)
    titles = list(keys)
    columns: list[list[object]] = [[title] for title in titles]
    for record in records:
        for column, title in zip(columns, titles, strict=True):
            value = record.get(title)
            column.append(value if isinstance(value, _SCALARS) else None)
    return RawSheet(name=name, columns=columns)
