"""What the upload and import services (``services/submission.py``) return: frozen records whose fields
are the CLI's JSON keys (``turnout submit|import-statewide|import-precincts --json``)."""

from __future__ import annotations

from dataclasses import dataclass

from turnout_desktop.engine.results import ReconcileResult
from turnout_desktop.ingest.interpret.model import OfficialCount, Problem
from turnout_desktop.store.statewide_loader import StatewideFileImport, StatewideFileLoaded

# StatewideFileLoaded: a file of an import that was loaded, not skipped (cli/ never imports store/).
__all__ = ["PrecinctImport", "ReconcileRun", "StatewideFileImport", "StatewideFileLoaded", "StatewideImport",
           "SubmitResult"]

# One result of ``services.reconciliation.reconcile``, embedded as that service returns it.
ReconcileRun = ReconcileResult


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """A county upload stored (or found to be a repeat), and the reconciliations run after it."""

    stored: bool
    duplicate: bool  # the same files are already the current upload (or the client uuid is stored)
    submission_ids: tuple[int, ...]
    counties: tuple[str, ...]
    kind: str  # roster | summary
    rows: int  # roster rows read
    counts: tuple[OfficialCount, ...]
    problems: tuple[Problem, ...]  # the pre-check's findings (none of them blocking)
    reconcile: tuple[ReconcileRun, ...] = ()


@dataclass(frozen=True, slots=True)
class StatewideImport:
    """Statewide roster files imported, each in its own transaction; totals over the files."""

    files: tuple[StatewideFileImport, ...]
    rows_read: int
    inserted: int
    duplicates_collapsed: int  # rows already present or repeated within a file
    skipped_files: tuple[str, ...]  # names of the files imported before (same sha256)


@dataclass(frozen=True, slots=True)
class PrecinctImport:
    """A precinct-to-district map loaded: rows read, precincts added and precincts moved to another district."""

    file: str
    rows: int
    inserted: int
    updated: int
