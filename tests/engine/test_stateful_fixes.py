"""docs/reliability.md T11 as a Hypothesis state machine on SQLite: fixes never lose or silently change data.

Rules load statewide records, upload county rosters with injected faults (missing, extra,
duplicate, wrong county, stale), apply strategies B/C/D, undo random fixes, undo everything, and
converge. Invariants after every step: (1) turnout_record never loses rows; (2) every changed row
has a fix_action of a fix that is not undone; (3) the multiset of VUIDs (active + removed) equals
loaded + inserted; (4) a removed statewide row always has an active statewide row of its VUID;
(5) undoing every fix restores the pre-fix active set; (6) on converged data strategies change 0 rows.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from turnout_desktop.db.migrate import upgrade_to_head
from turnout_desktop.db.models import (
    CountyRosterRow,
    Fix,
    FixAction,
    SourceFile,
    Submission,
    SubmissionFile,
    TurnoutRecord,
    utcnow,
)
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.engine.fixes import FixRecorder, UndoRefused, undo_fix
from turnout_desktop.engine.types import DUPLICATE_RECORDS, MISSING_VUIDS, WRONG_DISTRICT, Diagnosis, StrategyContext
from turnout_desktop.strategies import get_strategy

ELECTION = dt.date(2026, 3, 3)
COUNTIES = ("TRAVIS", "BASTROP")
METHODS = ("early-voting", "election-day", "mail-in")
VUIDS = tuple(f"10000000{n:02d}" for n in range(5))
CODES = [MISSING_VUIDS, DUPLICATE_RECORDS, WRONG_DISTRICT]
_TEMPLATE: dict[str, Path] = {}


def _template_db() -> Path:
    """One migrated SQLite file, copied for every example (migrating each time is slow)."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="turnout-t11-"))
        engine = make_engine(f"sqlite:///{folder / 'template.db'}")
        upgrade_to_head(engine)
        engine.dispose()
        _TEMPLATE["path"] = folder / "template.db"
    return _TEMPLATE["path"]


class FixMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="turnout-t11-case-"))
        shutil.copy(_template_db(), self.folder / "t.db")
        self.engine = make_engine(f"sqlite:///{self.folder / 't.db'}")
        self.loaded: Counter[str] = Counter()
        self.loaded_state: dict[int, tuple[str, str | None, bool]] = {}  # record id -> county, district, fallback
        self.row_count = 0

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---- rules -------------------------------------------------------------------------------
    @rule(vuid=st.sampled_from(VUIDS), county=st.sampled_from(COUNTIES), method=st.sampled_from(METHODS),
          fallback=st.booleans())
    def load_statewide(self, vuid: str, county: str, method: str, fallback: bool) -> None:
        with transaction(self.engine) as s:
            exists = s.execute(select(TurnoutRecord.id).where(
                TurnoutRecord.election_date == ELECTION, TurnoutRecord.source == "statewide",
                TurnoutRecord.vuid == vuid, TurnoutRecord.voting_method == method)).first()
            if exists:
                return  # the identity is already there: the loader inserts if absent only
            row = TurnoutRecord(election_date=ELECTION, vuid=vuid, county=county, party="DEM", voting_method=method,
                                source="statewide", verification="verified", county_fallback=fallback)
            s.add(row)
            s.flush()
            self.loaded_state[row.id] = (county, None, fallback)
        self.loaded[vuid] += 1

    @rule(county=st.sampled_from(COUNTIES),
          entries=st.lists(st.tuples(st.sampled_from(VUIDS), st.sampled_from(METHODS)), max_size=6),
          stale=st.booleans())
    def upload_roster(self, county: str, entries: list[tuple[str, str]], stale: bool) -> None:
        """A roster with whatever faults the random entries make (missing, extra, duplicate, wrong county);
        ``stale`` keeps the previous roster current as well (an old upload not superseded)."""
        with transaction(self.engine) as s:
            if not stale:
                s.execute(update(Submission).where(Submission.county == county, Submission.superseded_at.is_(None))
                          .values(superseded_at=utcnow()))
            submission = Submission(uuid=str(uuid.uuid4()), county=county, election_date=ELECTION, kind="roster",
                                    submitted_by="clerk")
            source = SourceFile(kind="county_roster", name=f"{uuid.uuid4()}.csv", sha256=uuid.uuid4().hex * 2,
                                size_bytes=1, election_date=ELECTION)
            s.add_all([submission, source])
            s.flush()
            s.add(SubmissionFile(submission_id=submission.id, source_file_id=source.id))
            for number, (vuid, method) in enumerate(entries, start=2):
                s.add(CountyRosterRow(submission_id=submission.id, source_file_id=source.id, row_no=number,
                                      election_date=ELECTION, county=county, party="DEM", voting_method=method,
                                      vuid=vuid, vuid_raw=vuid))

    def _execute(self, name: str, county: str) -> int:
        with transaction(self.engine) as s:
            diagnosis = Diagnosis(county=county, election_date=ELECTION, party="DEM", expected_total=0,
                                  actual_total=0, by_method={}, accuracy=Decimal(0), codes=list(CODES))
            recorder = FixRecorder(s, election_date=ELECTION, county=county, party="DEM", user="t11")
            context = StrategyContext(session=s, election_date=ELECTION, county=county, party="DEM",
                                      diagnosis=diagnosis, fixes=recorder)
            return get_strategy(name).execute(context).changed

    @rule(name=st.sampled_from(["fill_gaps", "fix_districts", "remove_duplicates"]),
          county=st.sampled_from(COUNTIES))
    def apply_strategy(self, name: str, county: str) -> None:
        self._execute(name, county)

    def _open_fixes(self) -> list[int]:
        with Session(self.engine) as s:
            return list(s.execute(select(Fix.id).where(Fix.undone_at.is_(None)).order_by(Fix.id)).scalars())

    @precondition(lambda self: bool(self._open_fixes()))
    @rule(pick=st.integers(min_value=0, max_value=50))
    def undo_random_fix(self, pick: int) -> None:
        fixes = self._open_fixes()
        try:
            with transaction(self.engine) as s:
                undo_fix(s, fixes[pick % len(fixes)], "t11")
        except UndoRefused as refused:
            assert "later fix" in str(refused)

    @rule()
    def undo_all_restores_pre_fix_active_set(self) -> None:
        for fix_id in reversed(self._open_fixes()):
            with transaction(self.engine) as s:
                undo_fix(s, fix_id, "t11")
        expected = sorted((rid, vuid_county[0], vuid_county[1], vuid_county[2])
                          for rid, vuid_county in self.loaded_state.items())
        with Session(self.engine) as s:
            active = s.execute(select(TurnoutRecord.id, TurnoutRecord.county, TurnoutRecord.district,
                                      TurnoutRecord.county_fallback).where(TurnoutRecord.removed_at.is_(None))
                               .order_by(TurnoutRecord.id)).all()
        assert [tuple(r) for r in active] == expected

    @rule(county=st.sampled_from(COUNTIES))
    def converged_data_changes_nothing(self, county: str) -> None:
        for _ in range(3):
            for other in COUNTIES:
                for name in ("fix_districts", "remove_duplicates", "fill_gaps"):
                    self._execute(name, other)
        changed = sum(self._execute(name, county) for name in ("fix_districts", "remove_duplicates", "fill_gaps"))
        assert changed == 0

    # ---- invariants --------------------------------------------------------------------------
    @invariant()
    def no_row_is_ever_deleted(self) -> None:
        with Session(self.engine) as s:
            rows = s.execute(select(func.count()).select_from(TurnoutRecord)).scalar_one()
        assert rows >= self.row_count
        self.row_count = rows

    @invariant()
    def vuids_are_loaded_plus_inserted(self) -> None:
        with Session(self.engine) as s:
            present = Counter(s.execute(select(TurnoutRecord.vuid)).scalars())
            inserted = Counter(s.execute(select(FixAction.vuid).where(
                FixAction.action == "insert", FixAction.table_name == "turnout_record")).scalars())
        assert present == self.loaded + inserted

    @invariant()
    def every_change_has_a_fix_action(self) -> None:
        with Session(self.engine) as s:
            open_actions = {(a, rid) for a, rid in s.execute(
                select(FixAction.action, FixAction.record_id).join(Fix, Fix.id == FixAction.fix_id)
                .where(Fix.undone_at.is_(None), FixAction.table_name == "turnout_record"))}
            records = s.execute(select(TurnoutRecord)).scalars().all()
            for r in records:
                if r.created_by_fix is not None:
                    assert s.execute(select(FixAction.id).where(
                        FixAction.fix_id == r.created_by_fix, FixAction.record_id == r.id,
                        FixAction.action == "insert")).first() is not None
                if r.removed_at is not None and r.removed_by_fix != r.created_by_fix:
                    assert ("remove", r.id) in open_actions
                if r.id in self.loaded_state and (r.county, r.district, r.county_fallback) != self.loaded_state[r.id]:
                    assert ("reassign", r.id) in open_actions

    @invariant()
    def statewide_rows_only_give_way_to_statewide_rows(self) -> None:
        with Session(self.engine) as s:
            removed = s.execute(select(TurnoutRecord.vuid).where(
                TurnoutRecord.source == "statewide", TurnoutRecord.removed_at.is_not(None))).scalars().all()
            for vuid in removed:
                assert s.execute(select(TurnoutRecord.id).where(
                    TurnoutRecord.vuid == vuid, TurnoutRecord.source == "statewide",
                    TurnoutRecord.removed_at.is_(None))).first() is not None


FixMachine.TestCase.settings = settings(max_examples=50, stateful_step_count=20, deadline=None)
TestFixMachine = FixMachine.TestCase
