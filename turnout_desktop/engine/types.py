"""Types shared by the engine and the strategy plugins (the plugin contract).

``engine/`` never imports ``strategies/``: the composition root (the services) gets the strategy list from
``turnout_desktop.strategies.default_strategies()`` (the built-in ones and those other packages declare in the
entry-point group ``turnout_desktop.strategies``) and hands it to the engine, which orders it from what each
strategy declares (``handles``, ``priority``, ``escalates``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from turnout_desktop.domain.diagnosis import DiagnosisCode
from turnout_desktop.domain.metrics import MethodCount

if TYPE_CHECKING:  # annotations only: ``turnout --help`` starts without SQLAlchemy
    from sqlalchemy.orm import Session

# Root-cause codes (stable: JSON, log, reports), defined in domain (their labels are there too) and named here
# because the engine and the strategies read every plugin-contract value from this one module.
MISSING_VUIDS = DiagnosisCode.MISSING_VUIDS
EXTRA_VUIDS = DiagnosisCode.EXTRA_VUIDS
DUPLICATE_RECORDS = DiagnosisCode.DUPLICATE_RECORDS
WRONG_DISTRICT = DiagnosisCode.WRONG_DISTRICT
DATA_FORMAT = DiagnosisCode.DATA_FORMAT
TIMING = DiagnosisCode.TIMING
UNEXPLAINED = DiagnosisCode.UNEXPLAINED
DIAGNOSIS_CODES: tuple[DiagnosisCode, ...] = tuple(DiagnosisCode)

ProgressCallback = Callable[[float, str], None]
CancelCheck = Callable[[], bool]


@dataclass(slots=True)
class Diagnosis:
    """Root causes of one (county, election, party) discrepancy, with evidence."""

    county: str
    election_date: dt.date
    party: str
    expected_total: int
    actual_total: int
    by_method: dict[str, MethodCount]
    accuracy: Decimal
    codes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # evidence per code (VUID lists complete here)
    upload_kind: str = "roster"  # roster | summary: B cannot fill gaps from a summary
    has_statewide_source: bool = False

    @property
    def discrepancy(self) -> int:
        return self.actual_total - self.expected_total


# Messages of an attempt whose login may not change statewide data (a clerk's): strategy A's import, or the
# statewide records C or D would reassign or remove. The next check, under the service login, re-runs such
# pairs (``LEFT_TO_CHECK``: every such message starts with one of these).
STATEWIDE_LEFT_TO_CHECK = "Statewide import is left to the scheduled check"
STATEWIDE_RECORDS_LEFT_TO_CHECK = "Statewide records are left to the scheduled check"
LEFT_TO_CHECK = (STATEWIDE_LEFT_TO_CHECK, STATEWIDE_RECORDS_LEFT_TO_CHECK)


@dataclass(slots=True)
class StrategyContext:
    """What a strategy may use. All writes go through ``session`` (the attempt's transaction)
    and every changed row is recorded through ``fixes`` so it can be previewed and undone."""

    session: Session
    election_date: dt.date
    county: str
    party: str
    diagnosis: Diagnosis
    fixes: FixRecorderProtocol
    statewide_source: str | None = None
    dry_run: bool = False
    user: str = "engine"
    log_id: int | None = None
    may_change_statewide: bool = True  # False for a clerk: statewide data is the service's to change


@dataclass(slots=True)
class StrategyResult:
    """What one strategy did (or, in a dry run, would do)."""

    applied: bool
    message: str
    fix_id: int | None = None
    inserted: int = 0
    removed: int = 0
    reassigned: int = 0
    updated: int = 0
    preview: list[dict[str, Any]] = field(default_factory=list)  # first rows changed, for dry runs / the GUI
    source_unavailable: bool = False  # A could not read its source: the loop logs outcome source_unavailable

    @property
    def changed(self) -> int:
        return self.inserted + self.removed + self.reassigned + self.updated


@runtime_checkable
class FixRecorderProtocol(Protocol):
    """Records a fix and each row it touches in ``fix`` / ``fix_action`` (same transaction)."""

    def begin(self, strategy: str, summary: str) -> int: ...
    def inserted(self, table: str, record_id: int, vuid: str | None, after: dict[str, Any]) -> None: ...
    def removed(self, table: str, record_id: int, vuid: str | None, before: dict[str, Any],
                after: dict[str, Any] | None = None) -> None: ...
    def reassigned(self, table: str, record_id: int, vuid: str | None,
                   before: dict[str, Any], after: dict[str, Any]) -> None: ...
    def updated(self, table: str, record_id: int, vuid: str | None,
                before: dict[str, Any], after: dict[str, Any]) -> None: ...


@runtime_checkable
class Strategy(Protocol):
    """A fix strategy plugin (one module in ``strategies/``, or a class another package declares in the
    entry-point group ``turnout_desktop.strategies``).

    The loop tries first the strategies whose ``handles`` names a cause the diagnosis found, then the rest,
    each group by ``priority``; an ``escalates`` strategy is never tried as a fix but runs once when the loop
    gives up (F: hand the county to a person).

    Undo: every row a strategy changes goes through ``context.fixes``, and an admin can undo the fix only
    when each recorded action stays inside what the built-in strategies write: the tables of
    ``engine/fixes.py`` ``TABLES`` and, for a remove, reassign or update, the columns of
    ``engine/undo_guard.py`` ``UNDOABLE_COLUMNS`` (the allow-list that stops a hand-made action from
    rewriting any column). A plugin may record other tables or columns; its fix is kept and shown, but
    every undo of it is refused (``UndoRefused`` naming the table or columns).
    """

    name: str  # stable (log rows, fixes): refetch_statewide, fill_gaps, ... manual_review
    letter: str  # A-F for the built-in ones
    label: str  # what a person reads: "Fill gaps from the county roster"
    handles: tuple[str, ...]  # the diagnosis codes (MISSING_VUIDS, ...) this strategy fixes
    priority: int  # lower runs earlier among the strategies tried in the same group
    escalates: bool  # True: the loop's last step when nothing else helps, not a fix

    def applies(self, diagnosis: Diagnosis) -> bool: ...
    def execute(self, context: StrategyContext) -> StrategyResult: ...


@runtime_checkable
class BulkStrategy(Strategy, Protocol):
    """A strategy that can also make one attempt for many (county, party) pairs at once.

    The engine's set-based round (``engine/bulk_round.py``) calls ``execute_many`` with one context per
    pair, all in one transaction; each context has its own fix recorder, so every pair still gets its own
    fix (undo one county without touching another) and its own attempt row. Returning None means "not in
    bulk this time" (a case only the per-pair path handles): the engine then runs those pairs one by one;
    a None in one pair's place declines that pair alone (the strategy must have changed nothing for it).
    """

    def execute_many(self, contexts: Sequence[StrategyContext]) -> list[StrategyResult | None] | None: ...
