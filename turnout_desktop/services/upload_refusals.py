"""Refused uploads: the error that blocks one, and the failure audit event written for each refused file.

``submit_files`` (services/submission.py) and the offline outbox (services/outbox.py) wrap their work in
``refusals_audited`` so a refusal always leaves one ``failure`` event per file in the audit trail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from turnout_desktop.db.audit import append_events, new_event
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.errors import Certified, ImportRejected, TurnoutError
from turnout_desktop.files import file_sha256
from turnout_desktop.ingest.interpret.model import ParsedUpload
from turnout_desktop.services.context import AppContext

log = logging.getLogger(__name__)


class SubmissionBlocked(TurnoutError):
    """Pre-check problems block the upload (exit code 1); the problems are on ``upload``."""

    exit_code = 1

    def __init__(self, upload: ParsedUpload) -> None:
        self.upload = upload
        blocking = [p for p in upload.problems if p.blocking]
        first = blocking[0] if blocking else None
        where = ", ".join(part for part in (first.file, f"row {first.row}" if first.row is not None else "")
                          if part) if first else ""
        detail = f"; first: {where}: {first.message}" if first else ""
        super().__init__(f"{len(blocking)} blocking pre-check problem(s){detail}")



# ``reason`` of the audit event of a file the pre-check blocked (ImportRejected reasons are used as they are).
REASON_BLOCKED = "blocked"
REASON_UNREADABLE = "unreadable"


@contextlib.contextmanager
def refusals_audited(ctx: AppContext, event_type: str, paths: Sequence[Path], *, election: dt.date | None,
                     county: str | None = None, user: str | None = None) -> Iterator[None]:
    """Write one failure audit event per refused file when the body refuses the upload, then re-raise.

    Refusals are ``ImportRejected`` (unsafe or unreadable: bombs, oversize, encrypted, damaged, wrong
    format), ``SubmissionBlocked`` (blocking pre-check problems), ``OSError`` (the file cannot be
    opened) and ``Certified`` (a statewide file adding records to a certified county). Other errors pass
    through untouched; the caller always gets the original exception, even when the event cannot be
    written (see ``audit_refused_upload``).
    """
    try:
        yield
    except (ImportRejected, SubmissionBlocked, OSError, Certified) as error:
        audit_refused_upload(ctx, event_type, paths, error, election=election, county=county, user=user)
        raise


def audit_refused_upload(ctx: AppContext, event_type: str, paths: Sequence[Path], error: BaseException, *,
                         election: dt.date | None, county: str | None = None, user: str | None = None) -> None:
    """Record a refused upload: one ``failure`` event per refused file, in one transaction of its own.

    Each event's details are ``{"file", "sha256", "reason", "message"}`` (plus ``"codes"`` and
    ``"blocking"`` for a blocked file): the sha256 of the file's bytes on disk, or None with reason
    ``unreadable`` when the file cannot be read at all. The refused file is the one the error names (a zip
    member counts for its archive; for a block, every file with a blocking problem); when the error names
    none of them (an option, an upload without counts), each file of the upload is refused.

    Never raises: a failure to write the trail is logged and must not hide the refusal itself.
    """
    try:
        refused = _refused_files(paths, error)
        named_county = canonical_county_name(county) if county else None
        scope = ctx.scope_counties
        # A county outside the login's grants stays in the details: PostgreSQL refuses a clerk's event that
        # is filed under a county not its own, and the refusal must still be recorded.
        event_county = named_county if scope is None or named_county in scope else None
        events = []
        for path, reason, message, extra in refused:
            try:
                sha256: str | None = file_sha256(path)
            except OSError as exc:
                sha256, reason = None, REASON_UNREADABLE
                message = f"{message} (the file cannot be read: {exc.strerror or exc})"
            details = {"file": path.name, "sha256": sha256, "reason": reason, "message": message[:1000], **extra}
            if named_county is not None and named_county != event_county:
                details["county"] = named_county
            events.append(new_event(event_type, f"{path.name} refused ({reason}): {message}"[:1000],
                                    disposition="failure", user=user or ctx.user, role=ctx.role,
                                    county=event_county or ctx.county, election_date=election, details=details))
        with transaction(ctx.engine) as session:
            append_events(session, events)
    except Exception:  # the refusal itself must still reach the caller
        log.exception("could not record the audit failure event of a refused upload")


def _refused_files(paths: Sequence[Path], error: BaseException) -> list[tuple[Path, str, str, dict[str, Any]]]:
    """(path, reason, message, extra details) for each file the error refuses."""
    paths = [Path(p) for p in paths]
    if isinstance(error, SubmissionBlocked):
        blocking = [p for p in error.upload.problems if p.blocking]
        per_file = [(path, [p for p in blocking if _names_file(p.file, path)]) for path in paths]
        hit = [(path, problems) for path, problems in per_file if problems]
        refused = []
        for path, problems in hit or [(path, blocking) for path in paths]:
            first = problems[0] if problems else None
            where = f"; first: row {first.row} [{first.column}] {first.code}: {first.message}" if first else ""
            refused.append((path, REASON_BLOCKED, f"{len(problems)} blocking pre-check problem(s){where}",
                            {"blocking": len(problems), "codes": sorted({p.code for p in problems})}))
        return refused
    if isinstance(error, ImportRejected):
        named = [path for path in paths if _names_file(error.file, path)]
        return [(path, error.reason, str(error), {}) for path in named or paths]
    if isinstance(error, OSError):
        named = [path for path in paths if error.filename is not None and Path(error.filename) == path]
        return [(path, REASON_UNREADABLE, f"cannot read the file: {error.strerror or error}", {})
                for path in named or paths]
    return [(path, type(error).__name__, str(error), {}) for path in paths]


def _names_file(name: str | None, path: Path) -> bool:
    """True when an error's or a problem's file name is ``path`` or a member inside it (``a.zip/b.csv``)."""
    return name is not None and name != "" and (name == path.name or name.startswith(f"{path.name}/"))
