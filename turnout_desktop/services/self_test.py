"""Self-test of an installation (``turnout self-test``, ``turnout-desktop --self-test``): the whole path once, on a
throw-away database.

In a temporary folder: a SQLite database is created and migrated, the bundled sample statewide file and county
roster (``resources/self_test/``, synthetic) are imported, the upload is reconciled and must come out verified,
and a PDF report is rendered offscreen and must be a PDF with pages. One result per check; the folder is removed
at the end. Nothing here imports Qt: the PDF step reaches the renderer through ``services/reporting.py``, as
``turnout report`` does.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.resources_path import resource_path
from turnout_desktop.services.context import AppContext, open_context

SAMPLE_FOLDER = "self_test"  # under resources/
SAMPLE_STATEWIDE = "statewide.csv"
SAMPLE_ROSTER = "county_roster.csv"
SAMPLE_ELECTION = dt.date(2026, 3, 3)
SAMPLE_COUNTY = "LOVING"
# A page object of a PDF (``/Type /Page``, not the ``/Type /Pages`` tree above the pages).
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check: its name, whether it passed, and what it found (or why it failed)."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        """``ok  migrations (revision 0009)`` or ``FAIL pdf: ...``."""
        if self.ok:
            return f"ok  {self.name}" + (f" ({self.detail})" if self.detail else "")
        return f"FAIL {self.name}: {self.detail}"


@dataclass(frozen=True, slots=True)
class SelfTestResult:
    """Every check in the order run; ``passed`` only when all of them did."""

    checks: tuple[CheckResult, ...]
    passed: bool


# A check returns what it found (shown after "ok") and raises with the reason when it fails.
Check = Callable[[], str]


class _Run:
    """The state the checks share: the temporary folder, the database, the reconciliation's outcome."""

    def __init__(self, folder: Path, samples: Path) -> None:
        self.folder = folder
        self.samples = samples
        self.ctx: AppContext | None = None

    def context(self) -> AppContext:
        if self.ctx is None:
            raise RuntimeError("no database (an earlier check failed)")
        return self.ctx

    def sample_files(self) -> str:
        missing = [name for name in (SAMPLE_STATEWIDE, SAMPLE_ROSTER) if not (self.samples / name).is_file()]
        if missing:
            raise FileNotFoundError(f"{', '.join(missing)} missing from {self.samples}")
        return str(self.samples)

    def database(self) -> str:
        from sqlalchemy import text

        self.ctx = open_context(f"sqlite:///{self.folder / 'self-test.db'}", migrate=False)
        with self.ctx.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()
        return "SQLite in a temporary folder"

    def migrations(self) -> str:
        from turnout_desktop.db.migrate import current_revision, head_revision, upgrade_to_head

        engine = self.context().engine
        upgrade_to_head(engine)
        reached, head = current_revision(engine), head_revision()
        if not head or reached != head:
            raise RuntimeError(f"schema at revision {reached}, expected {head}")
        return f"revision {head}"

    def statewide_import(self) -> str:
        from turnout_desktop.services.submission import import_statewide

        result = import_statewide(self.context(), [self.samples / SAMPLE_STATEWIDE], election=SAMPLE_ELECTION)
        if result.inserted <= 0:
            raise RuntimeError(f"no statewide record imported from {SAMPLE_STATEWIDE} ({result.rows_read} rows read)")
        return f"{result.inserted} records"

    def reconcile(self) -> str:
        from turnout_desktop.services.submission import submit_files

        result = submit_files(self.context(), [self.samples / SAMPLE_ROSTER], election=SAMPLE_ELECTION,
                              county=SAMPLE_COUNTY)
        if result.rows <= 0:
            raise RuntimeError(f"{SAMPLE_ROSTER} holds no voter rows")
        if not result.reconcile:
            raise RuntimeError(f"{SAMPLE_ROSTER} was stored but nothing was reconciled")
        counted = sum(run.expected_total or 0 for run in result.reconcile)
        if counted != result.rows:
            raise RuntimeError(f"the reconciliation counted {counted} voters, the roster lists {result.rows}")
        shown = {f"{run.county} {run.party}": status_category(run.status, run.final_accuracy_pct)
                 for run in result.reconcile}
        unverified = {pair: state.value for pair, state in shown.items() if state != DisplayStatus.VERIFIED}
        if unverified:
            raise RuntimeError(f"not verified: {unverified}")
        return f"{result.rows} roster rows, {len(shown)} verified"

    def pdf(self) -> str:
        from turnout_desktop.services.reporting import export_report

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # rendered without a screen, also on a desktop
        path = export_report(self.context(), election=SAMPLE_ELECTION, fmt="pdf", out=self.folder,
                             county=SAMPLE_COUNTY)
        return describe_pdf(path.read_bytes())

    def close(self) -> None:
        if self.ctx is not None:
            self.ctx.engine.dispose()


def describe_pdf(data: bytes) -> str:
    """``N pages`` for a PDF with pages; raises with the reason for anything else."""
    if not data.startswith(b"%PDF-"):
        raise ValueError(f"not a PDF (starts with {data[:8]!r})")
    pages = len(_PDF_PAGE.findall(data))
    if pages < 1:
        raise ValueError("the PDF has no page")
    return f"{pages} page{'s' if pages != 1 else ''}, {len(data):,} bytes"


def run_self_test(*, samples: Path | None = None, extra_checks: Sequence[tuple[str, Check]] = (),
                  on_check: Callable[[CheckResult], None] | None = None) -> SelfTestResult:
    """Run every check in a new temporary folder, then remove it.

    Args:
        samples: the folder holding the sample files (default: ``resources/self_test`` of this installation).
        extra_checks: further (name, check) pairs run after the built-in ones (the desktop app adds its own).
        on_check: called with each result as soon as it is known (the CLI prints it then).

    Returns:
        All results; a check after a failed one is reported failed with the name of the failure it depends on.
    """
    folder = Path(tempfile.mkdtemp(prefix="turnout-self-test-"))
    run = _Run(folder, samples if samples is not None else resource_path(SAMPLE_FOLDER))
    steps: list[tuple[str, Check]] = [
        ("sample files", run.sample_files), ("database", run.database), ("migrations", run.migrations),
        ("statewide import", run.statewide_import), ("reconcile", run.reconcile), ("pdf", run.pdf),
        *extra_checks,
    ]
    results: list[CheckResult] = []

    def record(result: CheckResult) -> None:
        results.append(result)
        if on_check is not None:
            on_check(result)

    first_failure: str | None = None
    try:
        for name, check in steps:
            if first_failure is not None and name not in dict(extra_checks):
                record(CheckResult(name, False, f"not run ({first_failure} failed)"))
                continue
            result = _attempt(name, check)
            record(result)
            if not result.ok and first_failure is None:
                first_failure = name
    finally:
        run.close()
        shutil.rmtree(folder, ignore_errors=True)
    record(CheckResult("cleanup", not folder.exists(), "" if not folder.exists() else f"{folder} is left behind"))
    return SelfTestResult(checks=tuple(results), passed=all(result.ok for result in results))


def _attempt(name: str, check: Check) -> CheckResult:
    try:
        return CheckResult(name, True, check())
    except Exception as exc:  # noqa: BLE001 - every failure is reported as this check's FAIL line, not a traceback
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return CheckResult(name, False, f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__)
