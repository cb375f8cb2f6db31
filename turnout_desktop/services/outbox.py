"""Offline outbox: submissions made while the shared server is unreachable, pushed exactly once later.

The local SQLite database keeps each queued submission in ``outbox_item``: the file bytes (base64), their
names (county hints come from file names), the submit hints and a client-made uuid. Pushing replays the
files through :func:`services.submission.submit_files` with that uuid; ``submission.uuid`` is UNIQUE on
the server, so a replay after a crash between "server committed" and "local marked pushed" is seen as
already pushed instead of being stored twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.identity import sign_in_error
from turnout_desktop.db.models import OutboxItem, Submission, utcnow
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Trigger
from turnout_desktop.engine.types import CancelCheck, ProgressCallback
from turnout_desktop.errors import (
    INSUFFICIENT_PRIVILEGE,
    Cancelled,
    DatabaseUnavailable,
    ImportRejected,
    PermissionDenied,
    SchemaMismatch,
    SignInFailed,
    TurnoutError,
)
from turnout_desktop.services.context import AppContext, open_context
from turnout_desktop.services.outbox_results import PushOutcome, PushStatus
from turnout_desktop.services.precheck import precheck_upload
from turnout_desktop.services.submission import submission_row_uuid, submit_files, unreconciled_counties
from turnout_desktop.services.submission_results import ReconcileRun, SubmitResult
from turnout_desktop.services.upload_refusals import SubmissionBlocked, refusals_audited

log = logging.getLogger(__name__)

PAYLOAD_VERSION = 1


@dataclass(frozen=True, slots=True)
class QueuedSubmission:
    """One outbox item as callers see it (no file bytes); the fields are ``outbox list --json``'s keys."""

    id: int
    uuid: str
    created_at: dt.datetime
    election: dt.date
    counties: tuple[str, ...]
    files: tuple[str, ...]  # file names
    user: str  # who queued it (the server records this name on a SQLite server)
    pushed_at: dt.datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitOrQueueResult:
    """What :func:`submit_or_queue` did: stored on the server (``submit``), or queued locally and why."""

    queued: bool
    message: str
    submit: SubmitResult | None = None
    outbox_item: QueuedSubmission | None = None


def is_unreachable(error: BaseException) -> bool:
    """True for "the server cannot be reached" errors (refused, timed out, dropped), not for bad data.

    A refused sign-in (wrong password, no Turnout role) or a schema mismatch is not: queueing would only
    hide a problem the user must fix.
    """
    if isinstance(error, SignInFailed):
        return error.reason == "unreachable"
    if isinstance(error, SchemaMismatch):
        return False
    return isinstance(error, DatabaseUnavailable | OperationalError | InterfaceError | ConnectionError)


def open_server_context(server_url: str, *, user: str, role: str, county: str | None = None) -> AppContext:
    """Open the shared server; any connection failure becomes DatabaseUnavailable.

    On PostgreSQL the login in ``server_url`` is who acts (``user``/``role``/``county`` are ignored: the
    database says who that is); a SQLite "server" (tests, one-office setups) keeps the app-level identity.
    """
    try:
        if server_url.startswith(("postgresql", "postgres:")):
            return open_context(server_url)
        return open_context(server_url, user=user, role=role, county=county)
    except DatabaseUnavailable:
        raise
    except (OperationalError, InterfaceError, OSError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseUnavailable(f"Cannot reach the shared server: {first_line}") from exc


def queue_submission(local_ctx: AppContext, paths: list[Path], *, election: dt.date, county: str | None = None,
                     party: str | None = None, method: str | None = None,
                     mapping: Mapping[str, str] | None = None, user: str | None = None,
                     submission_uuid: str | None = None) -> QueuedSubmission:
    """Pre-check the files offline and keep them in the local outbox until the server is back.

    Args:
        local_ctx: The local (SQLite) database and the acting user.
        paths: The upload's files.
        election, county, party, method, mapping: Hints, exactly as for ``submit_files``.
        user: Who submits (defaults to ``local_ctx.user``); the server records this name.
        submission_uuid: Client uuid to reuse (``submit_or_queue`` passes the one it tried online).

    Raises:
        SubmissionBlocked: Pre-check problems block the files (nothing is queued).
        ImportRejected: The files cannot be read or hold no county counts.
        PermissionDenied: A clerk queues another county's upload.

    A refused file (the first two) gets one ``outbox_queue`` failure event in the local audit trail.
    """
    paths = [Path(p) for p in paths]
    submitter = user or local_ctx.user
    with refusals_audited(local_ctx, "outbox_queue", paths, election=election, county=county, user=submitter):
        report = precheck_upload(paths, county=county, election=election, party=party, method=method,
                                 mapping=dict(mapping) if mapping else None).report
        if not report.ready:
            raise SubmissionBlocked(report.upload)
        counties = report.upload.counties
        if not counties:
            raise ImportRejected("The upload holds no county counts", reason="empty",
                                 file=", ".join(p.name for p in paths))
    for name in counties:
        local_ctx.require_county(name)
    client_uuid = str(uuid.UUID(submission_uuid)) if submission_uuid else str(uuid.uuid4())
    files = [_encode_file(path) for path in paths]
    payload = {
        "version": PAYLOAD_VERSION, "election": election.isoformat(), "county": county, "party": party,
        "method": method, "mapping": dict(mapping) if mapping else None, "user": submitter,
        "counties": counties, "kind": report.upload.kind, "files": files,
    }
    with transaction(local_ctx.engine) as session:
        item = OutboxItem(uuid=client_uuid, payload=payload)
        session.add(item)
        session.flush()
        record_event(session, "outbox_queue", f"{report.upload.kind} upload queued offline ({len(files)} file(s))",
                     user=submitter, role=local_ctx.role, county=counties[0] if len(counties) == 1 else None,
                     election_date=election, details={"outbox_item": item.id, "uuid": client_uuid,
                                                      "files": [f["name"] for f in files]})
        return _describe(item)


def list_outbox(local_ctx: AppContext, *, include_pushed: bool = True) -> list[QueuedSubmission]:
    """Outbox items, oldest first (unpushed only when ``include_pushed`` is False)."""
    with transaction(local_ctx.engine) as session:
        query = select(OutboxItem).order_by(OutboxItem.id)
        if not include_pushed:
            query = query.where(OutboxItem.pushed_at.is_(None))
        return [_describe(item) for item in session.execute(query).scalars()]


def pending_count(local_ctx: AppContext) -> int:
    """How many items still wait for the server (cheap; for a status bar)."""
    with transaction(local_ctx.engine) as session:
        return session.execute(select(func.count()).select_from(OutboxItem)
                               .where(OutboxItem.pushed_at.is_(None))).scalar_one()


def push_outbox(local_ctx: AppContext, server_ctx: AppContext, *, progress: ProgressCallback | None = None,
                cancel: CancelCheck | None = None, reconcile: bool = True) -> list[PushOutcome]:
    """Submit every unpushed item to the server, oldest first, each exactly once.

    An item is marked pushed locally only after the server committed it (or already held its uuid). A
    failing item keeps its place with ``last_error``; when the server becomes unreachable mid-way the
    remaining items are left for the next push.

    Returns:
        One outcome per item tried, oldest first.
    """
    with transaction(local_ctx.engine) as session:
        item_ids = list(session.execute(select(OutboxItem.id).where(OutboxItem.pushed_at.is_(None))
                                        .order_by(OutboxItem.id)).scalars())
    outcomes: list[PushOutcome] = []
    for index, item_id in enumerate(item_ids):
        if cancel and cancel():
            raise Cancelled()
        if progress:
            progress(index / len(item_ids), f"Pushing outbox item {index + 1} of {len(item_ids)}")
        outcome = _push_one(local_ctx, server_ctx, item_id, reconcile=reconcile)
        if outcome is None:  # pushed by a concurrent push in the meantime
            continue
        outcomes.append(outcome)
        if outcome.status == PushStatus.FAILED and outcome.unreachable:
            break
    if progress:
        progress(1.0, "Outbox pushed")
    return outcomes


def submit_or_queue(local_ctx: AppContext, server_url: str, paths: list[Path], *, election: dt.date,
                    county: str | None = None, party: str | None = None, method: str | None = None,
                    mapping: Mapping[str, str] | None = None, user: str | None = None, reconcile: bool = True,
                    progress: ProgressCallback | None = None,
                    cancel: CancelCheck | None = None) -> SubmitOrQueueResult:
    """Submit to the shared server; when it is unreachable, queue in the local outbox and say so.

    The online attempt already carries the client uuid that the queued item keeps, so a connection lost
    after the server committed cannot produce a second submission on the later push.
    """
    submitter = user or local_ctx.user
    client_uuid = str(uuid.uuid4())
    hints: dict[str, Any] = {"election": election, "county": county, "party": party, "method": method,
                             "mapping": dict(mapping) if mapping else None}
    server_ctx: AppContext | None = None
    try:
        server_ctx = open_server_context(server_url, user=submitter, role=local_ctx.role, county=local_ctx.county)
        result = submit_files(server_ctx, [Path(p) for p in paths], reconcile=reconcile, progress=progress,
                              cancel=cancel, submission_uuid=client_uuid, **hints)
    except TurnoutError as exc:
        if not is_unreachable(exc):
            raise
        reason = str(exc)
    except (OperationalError, InterfaceError, ConnectionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    else:
        return SubmitOrQueueResult(queued=False, message="Submitted to the shared server.", submit=result)
    finally:
        if server_ctx is not None:
            server_ctx.engine.dispose()
    log.warning("shared server unreachable, queueing offline: %s", reason)
    item = queue_submission(local_ctx, paths, user=submitter, submission_uuid=client_uuid, **hints)
    return SubmitOrQueueResult(queued=True, outbox_item=item,
                               message=f"The shared server is unreachable ({reason}); the upload waits in the "
                                       f"outbox (item {item.id}) and is pushed when the server is back.")


def is_not_permitted(error: BaseException) -> bool:
    """True when the server refused the signed-in login: Turnout's own check, PostgreSQL's (SQLSTATE 42501), or
    a login whose Turnout role was taken away (the server refuses it a new connection)."""
    return (isinstance(error, PermissionDenied)
            or (isinstance(error, SignInFailed) and error.reason == "no_role")
            or getattr(getattr(error, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE)


def _push_one(local_ctx: AppContext, server_ctx: AppContext, item_id: int, *,
              reconcile: bool) -> PushOutcome | None:
    with transaction(local_ctx.engine) as session:
        item = session.get(OutboxItem, item_id)
        if item is None or item.pushed_at is not None:
            return None
        client_uuid, payload = item.uuid, dict(item.payload)
    election = dt.date.fromisoformat(payload["election"])
    queued_counties = tuple(payload.get("counties", []))
    # On a shared server the signed-in login submits (the database allows no other name in the trail);
    # the clerk who queued the item offline stays in the payload and in the submission's audit details.
    item_user = server_ctx.user if server_ctx.signed_in else (payload.get("user") or server_ctx.user)
    item_ctx = AppContext(server_ctx.engine, user=item_user, role=server_ctx.role, county=server_ctx.county,
                          counties=server_ctx.counties)
    try:
        status, submission_ids, stored_counties = _submit_payload(item_ctx, client_uuid, payload, election)
    except (TurnoutError, DBAPIError, ConnectionError, OSError, ValueError) as exc:
        # A database error other than a lost connection or a refused privilege is a defect: it is not kept
        # as the item's reason but raised.
        if isinstance(exc, DBAPIError) and not (isinstance(exc, OperationalError | InterfaceError)
                                                or is_not_permitted(exc)):
            raise
        if isinstance(exc, OperationalError) and server_ctx.signed_in:
            # A new connection refused mid-push says why: a revoked login is a refusal, not an offline server.
            exc = sign_in_error(exc, server_ctx.engine)
        error = _error_text(exc)
        _mark(local_ctx, item_id, error=error)
        return PushOutcome(id=item_id, uuid=client_uuid, status=PushStatus.FAILED, submission_ids=(),
                           counties=queued_counties, error=error, unreachable=is_unreachable(exc),
                           not_permitted=is_not_permitted(exc))
    counties = stored_counties if stored_counties is not None else queued_counties
    runs: list[ReconcileRun] = []
    reconcile_error: str | None = None
    reconcile_refused = False
    if reconcile:
        to_reconcile = list(counties)
        if status != PushStatus.PUSHED:  # the server had it: finish what a crash left unreconciled
            to_reconcile = unreconciled_counties(item_ctx, election, to_reconcile)
        runs, reconcile_error, reconcile_refused = _reconcile(item_ctx, election, to_reconcile)
    # Marked pushed only now: a push that dies between storing and reconciling is repeated, and the
    # repeat (the server already has the item) finishes the reconciliation.
    _mark(local_ctx, item_id, error=None)
    return PushOutcome(id=item_id, uuid=client_uuid, status=status, submission_ids=submission_ids,
                       counties=counties, reconcile=tuple(runs), reconcile_error=reconcile_error,
                       reconcile_not_permitted=reconcile_refused or None)


def _submit_payload(ctx: AppContext, client_uuid: str, payload: dict[str, Any],
                    election: dt.date) -> tuple[PushStatus, tuple[int, ...], tuple[str, ...] | None]:
    """Store one payload on the server: (status, submission ids, counties stored; None when stored before).

    The uuid check first makes a replay a no-op.
    """
    row_uuids = [submission_row_uuid(client_uuid, name, index)
                 for index, name in enumerate(sorted(payload.get("counties", [])))]
    with transaction(ctx.engine) as session:
        existing = sorted(session.execute(select(Submission.id).where(
            Submission.uuid.in_(row_uuids or [client_uuid]))).scalars())
    if existing:
        return PushStatus.ALREADY_PUSHED, tuple(existing), None
    with tempfile.TemporaryDirectory(prefix="turnout-outbox-") as folder:
        paths = _decode_files(payload["files"], Path(folder))
        result = submit_files(ctx, paths, election=election, county=payload.get("county"),
                              party=payload.get("party"), method=payload.get("method"),
                              mapping=payload.get("mapping"), reconcile=False, submission_uuid=client_uuid)
    if result.stored:
        status = PushStatus.PUSHED
    else:
        status = PushStatus.ALREADY_PUSHED if result.submission_ids else PushStatus.DUPLICATE
    return status, result.submission_ids, result.counties


def _reconcile(ctx: AppContext, election: dt.date,
               counties: list[str]) -> tuple[list[ReconcileRun], str | None, bool]:
    """Reconcile what was pushed: the runs, why it failed, and whether that was a refusal of the login.

    A failure here is reported but does not un-push the item.
    """
    from turnout_desktop.services import reconciliation

    results: list[ReconcileRun] = []
    try:
        for name in counties:
            results.extend(reconciliation.reconcile(ctx, Scope(election, county=name), trigger=Trigger.COUNTY_UPLOAD))
    except Exception as exc:  # the submission is stored; reconciliation can be re-run any time
        log.exception("reconciliation after outbox push failed")
        return results, _error_text(exc), is_not_permitted(exc)
    return results, None, False


def _mark(local_ctx: AppContext, item_id: int, *, error: str | None) -> None:
    """Record the push outcome locally: pushed_at on success, last_error (item kept) on failure."""
    with transaction(local_ctx.engine) as session:
        statement = update(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.pushed_at.is_(None))
        if error is None:
            session.execute(statement.values(pushed_at=utcnow(), last_error=None))
        else:
            session.execute(statement.values(last_error=error[:2000]))


def _encode_file(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    return {"name": path.name, "sha256": hashlib.sha256(data).hexdigest(),
            "content_b64": base64.b64encode(data).decode("ascii")}


def _decode_files(files: list[dict[str, str]], folder: Path) -> list[Path]:
    """Write the queued bytes back under their own names (one sub-folder each, so equal names coexist)."""
    paths: list[Path] = []
    for index, entry in enumerate(files):
        data = base64.b64decode(entry["content_b64"], validate=True)
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ValueError(f"outbox copy of {entry['name']} is corrupt (sha256 mismatch)")
        target = folder / str(index) / Path(entry["name"]).name  # never a path outside the folder
        target.parent.mkdir()
        target.write_bytes(data)
        paths.append(target)
    return paths


def _describe(item: OutboxItem) -> QueuedSubmission:
    payload = item.payload
    return QueuedSubmission(id=item.id, uuid=item.uuid, created_at=item.created_at,
                            election=dt.date.fromisoformat(payload["election"]),
                            counties=tuple(payload.get("counties", [])),
                            files=tuple(f["name"] for f in payload.get("files", [])), user=payload.get("user", ""),
                            pushed_at=item.pushed_at, last_error=item.last_error)


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip()
    first_line = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
