"""Report services shared by the CLI and the GUI: build, render and export diagnostic reports.

Every export is written atomically under a name built from safe characters, and recorded in the
audit trail (``export`` event, success with the file's sha256, or failure with the reason).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.models import ReconciliationLog
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.counties import known_county_name
from turnout_desktop.errors import NotFound, TurnoutError
from turnout_desktop.reports.csv_export import write_report_csv
from turnout_desktop.reports.model import Report, build_report
from turnout_desktop.reports.safe_io import BeforeReplace, atomic_write_bytes, safe_filename, safe_output_path
from turnout_desktop.services.context import AppContext
from turnout_desktop.strategies import declared_labels

FORMATS = ("pdf", "csv", "xlsx")


def _scope_for(ctx: AppContext, session: Session, county: str | None,
               escalation_id: int | None) -> str | None:
    """Check the user may see this scope; a clerk's whole-election report is their county's."""
    if escalation_id is not None:
        log = session.get(ReconciliationLog, escalation_id)
        if log is None:
            raise NotFound(f"No reconciliation log entry {escalation_id}.")
        ctx.require_county(log.county)
        return county
    if county is not None:
        county = known_county_name(county)
        ctx.require_county(county)
        return county
    return ctx.default_county()


def load_report(ctx: AppContext, *, election: dt.date, county: str | None = None,
                escalation_id: int | None = None) -> Report:
    """Build the report model for the signed-in user (role checks included).

    Args:
        ctx: application context.
        election: election date.
        county: one county only (canonical SOS name).
        escalation_id: one reconciliation_log entry only.

    Returns:
        The report model.
    """
    with Session(ctx.engine) as session:
        scope_county = _scope_for(ctx, session, county, escalation_id)
        return build_report(session, election=election, county=scope_county, escalation_id=escalation_id,
                            user=ctx.user, strategy_labels=declared_labels())


def render_report_pdf_bytes(ctx: AppContext, *, election: dt.date, county: str | None = None,
                            escalation_id: int | None = None) -> bytes:
    """The report as PDF bytes (for print preview); nothing is written or audited."""
    from turnout_desktop.reports.pdf import render_report_pdf_bytes as render  # Qt only when a PDF is wanted

    return render(load_report(ctx, election=election, county=county, escalation_id=escalation_id))


def default_report_name(*, election: dt.date, fmt: str, county: str | None = None,
                        escalation_id: int | None = None) -> str:
    """File name built only from our own values, e.g. ``turnout-report_2024-11-05_ANDERSON.pdf``."""
    if escalation_id is not None:
        scope = f"escalation-{escalation_id}"
    else:
        scope = county or "all-counties"
    return safe_filename("turnout-report", election.isoformat(), scope, suffix=f".{fmt}")


def resolve_output(out: Path, *, election: dt.date, fmt: str, county: str | None = None,
                   escalation_id: int | None = None) -> Path:
    """The file to write: inside ``out`` when it is a folder, else ``out``'s name made safe.

    Raises:
        TurnoutError: the folder does not exist.
        ValueError: the name cannot be made safe (never for names this module builds).
    """
    out = Path(out)
    if out.is_dir():
        return safe_output_path(out, default_report_name(election=election, fmt=fmt, county=county,
                                                          escalation_id=escalation_id))
    if not out.parent.is_dir():
        raise TurnoutError(f"The folder {out.parent} does not exist.")
    return safe_output_path(out.parent, safe_filename(out.stem, suffix=f".{fmt}"))


def _write(report: Report, fmt: str, path: Path, before_replace: BeforeReplace) -> str:
    if fmt == "csv":
        return write_report_csv(report, path, before_replace=before_replace)
    if fmt == "xlsx":
        from turnout_desktop.reports.xlsx_export import write_report_xlsx  # openpyxl only when an xlsx is wanted

        return write_report_xlsx(report, path, before_replace=before_replace)
    from turnout_desktop.reports.pdf import render_report_pdf_bytes as render

    return atomic_write_bytes(path, render(report), before_replace=before_replace)


def export_report(ctx: AppContext, *, election: dt.date, fmt: str, out: Path, county: str | None = None,
                  escalation_id: int | None = None) -> Path:
    """Build, render and atomically write a report; audit the export with the file's sha256.

    Args:
        ctx: application context (clerks may export only their own county).
        election: election date.
        fmt: ``"pdf"``, ``"csv"`` or ``"xlsx"``.
        out: a folder (the name is built for you) or a file path (its name is reduced to safe characters).
        county: one county only.
        escalation_id: one reconciliation_log entry only.

    Returns:
        The path written.

    Raises:
        TurnoutError: unknown format or missing folder; PermissionDenied / NotFound from the checks.
    """
    if fmt not in FORMATS:
        raise TurnoutError(f"Unknown report format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if county is not None:  # an unknown county is refused before anything is written (not an empty report)
        county = known_county_name(county)
    details: dict[str, object] = {"format": fmt, "county": county, "escalation_id": escalation_id}
    recorded: list[str] = []

    def record_export(sha256: str) -> None:
        # Committed before the finished file replaces the target (docs/reliability.md T16): a crash at any
        # instant leaves at the target either the old file or the new one, and both hashes are recorded.
        with transaction(ctx.engine) as session:
            record_event(session, "export", f"Exported {fmt} report {details['file']}", user=ctx.user,
                         role=ctx.role, county=county, election_date=election, details={**details, "sha256": sha256})
        recorded.append(sha256)

    try:
        path = resolve_output(out, election=election, fmt=fmt, county=county, escalation_id=escalation_id)
        details["file"] = path.name
        report = load_report(ctx, election=election, county=county, escalation_id=escalation_id)
        details["audit_head"] = report.audit_head
        _write(report, fmt, path, record_export)
    except Exception as exc:
        details["error"] = str(exc)[:500]
        if recorded:  # the success event is in, but the rename failed: the target keeps its old file
            details["sha256_not_written"] = recorded[-1]
        with transaction(ctx.engine) as session:
            record_event(session, "export", f"Report export failed: {exc}"[:1000], disposition="failure",
                         user=ctx.user, role=ctx.role, county=county, election_date=election, details=details)
        if isinstance(exc, ValueError):
            raise TurnoutError(str(exc)) from exc
        raise
    return path
