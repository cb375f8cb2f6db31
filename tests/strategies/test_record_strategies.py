"""Strategies B, C, D and F on both backends: exact changes, dry runs, exact undo, no hard deletes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from strategy_builders import (
    active_set,
    context,
    count,
    fix_counts,
    precinct,
    record,
    roster,
    table_snapshot,
)

from turnout_desktop.db.models import FixAction, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.engine.fixes import UndoOutcome, UndoRefused, undo_fix
from turnout_desktop.engine.types import (
    DUPLICATE_RECORDS,
    MISSING_VUIDS,
    STATEWIDE_RECORDS_LEFT_TO_CHECK,
    WRONG_DISTRICT,
)
from turnout_desktop.strategies import default_strategies, get_strategy

TRAVIS, BASTROP = "TRAVIS", "BASTROP"


def _run(engine: Engine, name: str, county: str, codes: list[str], *, dry_run: bool = False,
         may_change_statewide: bool = True):
    with transaction(engine) as session:
        return get_strategy(name).execute(context(session, county, codes, dry_run=dry_run,
                                                  may_change_statewide=may_change_statewide))


def _undo(engine: Engine, fix_id: int) -> UndoOutcome:
    with transaction(engine) as session:
        return undo_fix(session, fix_id, "admin", role="admin")


def test_registry_is_a_to_f_in_order():
    strategies = default_strategies()
    assert [s.letter for s in strategies] == ["A", "B", "C", "D", "E", "F"]
    assert [s.name for s in strategies] == ["refetch_statewide", "fill_gaps", "fix_districts",
                                            "remove_duplicates", "data_format", "manual_review"]


def _gap_state(engine: Engine) -> None:
    with transaction(engine) as s:
        roster(s, TRAVIS, [("1000000001", "early-voting", "101"), ("1000000002", "mail-in", "101"),
                           ("1000000003", "early-voting", "102"), ("1000000004", "early-voting", "102"),
                           ("1000000005", "election-day", None)])
        precinct(s, TRAVIS, "102", "HD-47")
        record(s, "1000000001", TRAVIS)
        record(s, "1000000002", TRAVIS, "mail-in")
        record(s, "1000000003", BASTROP)  # active elsewhere: strategy C's business, never re-inserted


def test_fill_gaps_inserts_missing_as_pending_and_undo_restores(db_engine: Engine):
    _gap_state(db_engine)
    before = table_snapshot(db_engine)
    preview = _run(db_engine, "fill_gaps", TRAVIS, [MISSING_VUIDS], dry_run=True)
    assert (preview.inserted, preview.fix_id, len(preview.preview)) == (2, None, 2)
    assert table_snapshot(db_engine) == before and fix_counts(db_engine) == (0, 0)

    result = _run(db_engine, "fill_gaps", TRAVIS, [MISSING_VUIDS])
    assert (result.applied, result.inserted, result.removed) == (True, 2, 0)
    with transaction(db_engine) as s:
        added = s.execute(select(TurnoutRecord).where(TurnoutRecord.source == "county")
                          .order_by(TurnoutRecord.vuid)).scalars().all()
        assert [(r.vuid, r.county, r.voting_method, r.precinct, r.district, r.verification, r.created_by_fix)
                for r in added] == [("1000000004", TRAVIS, "early-voting", "102", "HD-47", "pending", result.fix_id),
                                    ("1000000005", TRAVIS, "election-day", None, None, "pending", result.fix_id)]
        actions = s.execute(select(FixAction.action, FixAction.vuid).where(FixAction.fix_id == result.fix_id)
                            .order_by(FixAction.vuid)).all()
        assert [tuple(a) for a in actions] == [("insert", "1000000004"), ("insert", "1000000005")]

    active_before = [row for row in active_set(db_engine) if row[1] not in {"1000000004", "1000000005"}]
    assert _undo(db_engine, result.fix_id).reversed == 2
    assert active_set(db_engine) == active_before
    after = table_snapshot(db_engine)
    assert after["turnout_record"][:3] == before["turnout_record"]  # pre-existing rows restored exactly
    assert count(db_engine, TurnoutRecord) == 5  # tombstones, no hard delete
    with pytest.raises(UndoRefused, match="already undone"):
        _undo(db_engine, result.fix_id)

    again = _run(db_engine, "fill_gaps", TRAVIS, [MISSING_VUIDS])  # revives the tombstones
    assert (again.inserted, again.updated) == (0, 2)
    assert len(active_set(db_engine)) == 5 and count(db_engine, TurnoutRecord) == 5


def test_fill_gaps_does_not_apply_to_summary_uploads():
    strategy = get_strategy("B")
    with_gap = context(None, TRAVIS, [MISSING_VUIDS], upload_kind="summary").diagnosis  # type: ignore[arg-type]
    assert strategy.applies(with_gap) is False


def test_remove_duplicates_keeps_most_authoritative(db_engine: Engine):
    with transaction(db_engine) as s:
        roster(s, TRAVIS, [("2000000001", "mail-in", None), ("2000000002", "mail-in", None),
                           ("2000000003", "mail-in", None)])
        keep_statewide = record(s, "2000000001", TRAVIS, "early-voting").id
        lose_county = record(s, "2000000001", TRAVIS, "mail-in", source="county").id
        lose_county_ev = record(s, "2000000002", TRAVIS, "early-voting", source="county").id
        keep_county_mail = record(s, "2000000002", TRAVIS, "mail-in", source="county").id
        lose_statewide_ev = record(s, "2000000003", TRAVIS, "early-voting").id
        keep_statewide_mail = record(s, "2000000003", TRAVIS, "mail-in").id
        record(s, "2000000004", TRAVIS)
    before = table_snapshot(db_engine)
    assert _run(db_engine, "remove_duplicates", TRAVIS, [DUPLICATE_RECORDS], dry_run=True).removed == 3
    assert table_snapshot(db_engine) == before

    result = _run(db_engine, "remove_duplicates", TRAVIS, [DUPLICATE_RECORDS])
    assert (result.removed, result.inserted) == (3, 0)
    active_ids = {row[0] for row in active_set(db_engine)}
    assert {keep_statewide, keep_county_mail, keep_statewide_mail} <= active_ids
    assert not {lose_county, lose_county_ev, lose_statewide_ev} & active_ids
    with transaction(db_engine) as s:
        removed = s.execute(select(TurnoutRecord.id, TurnoutRecord.removed_by_fix)
                            .where(TurnoutRecord.removed_at.is_not(None)).order_by(TurnoutRecord.id)).all()
        assert [tuple(r) for r in removed] == [(lose_county, result.fix_id), (lose_county_ev, result.fix_id),
                                               (lose_statewide_ev, result.fix_id)]
    assert count(db_engine, TurnoutRecord) == 7
    _undo(db_engine, result.fix_id)
    assert table_snapshot(db_engine) == before
    assert _run(db_engine, "remove_duplicates", TRAVIS, [DUPLICATE_RECORDS]).removed == 3


def test_fix_districts_reassigns_county_district_and_fallback(db_engine: Engine):
    with transaction(db_engine) as s:
        roster(s, TRAVIS, [("3000000002", "early-voting", "101"), ("3000000003", "early-voting", "101")])
        roster(s, BASTROP, [("3000000001", "early-voting", "7")])
        precinct(s, BASTROP, "7", "HD-17")
        precinct(s, TRAVIS, "101", "HD-49")
        moved = record(s, "3000000001", TRAVIS, precinct="7", district="HD-50").id
        fallback = record(s, "3000000002", TRAVIS, precinct="101", district="HD-49", fallback=True).id
        district = record(s, "3000000003", TRAVIS, precinct="101", district="HD-48").id
        untouched = record(s, "3000000004", TRAVIS, precinct="999", district="HD-1").id  # on no roster
    before = table_snapshot(db_engine)
    result = _run(db_engine, "fix_districts", TRAVIS, [WRONG_DISTRICT])
    assert (result.reassigned, result.removed, result.inserted) == (3, 0, 0)
    by_id = {row[0]: row for row in active_set(db_engine)}
    assert (by_id[moved][2], by_id[moved][5]) == (BASTROP, "HD-17")
    assert (by_id[fallback][2], by_id[fallback][6]) == (TRAVIS, False)
    assert by_id[district][5] == "HD-49"
    assert (by_id[untouched][2], by_id[untouched][5]) == (TRAVIS, "HD-1")
    _undo(db_engine, result.fix_id)
    assert table_snapshot(db_engine) == before
    # Reconciling BASTROP moves only the record that belongs to BASTROP; TRAVIS's own rows wait for TRAVIS.
    assert _run(db_engine, "fix_districts", BASTROP, [WRONG_DISTRICT]).reassigned == 1


def test_a_login_that_may_not_change_statewide_data_leaves_its_records_to_the_check(db_engine: Engine):
    """A clerk's run: D removes the county duplicate only and C moves no statewide record; both say so."""
    with transaction(db_engine) as s:
        roster(s, TRAVIS, [("4000000001", "mail-in", None), ("4000000002", "mail-in", None)])
        roster(s, BASTROP, [("4000000003", "early-voting", "7")])
        statewide_pair = [record(s, "4000000001", TRAVIS, "early-voting").id,
                          record(s, "4000000001", TRAVIS, "mail-in").id]
        county_duplicate = record(s, "4000000002", TRAVIS, "early-voting", source="county").id
        record(s, "4000000002", TRAVIS, "mail-in")
        misplaced = record(s, "4000000003", TRAVIS, precinct="7").id  # BASTROP's voter, statewide record
    removed = _run(db_engine, "remove_duplicates", TRAVIS, [DUPLICATE_RECORDS], may_change_statewide=False)
    assert removed.removed == 1
    assert removed.message.startswith(f"{STATEWIDE_RECORDS_LEFT_TO_CHECK}: this login may not remove 1 ")
    active_ids = {row[0] for row in active_set(db_engine)}
    assert set(statewide_pair) <= active_ids and county_duplicate not in active_ids
    moved = _run(db_engine, "fix_districts", TRAVIS, [WRONG_DISTRICT], may_change_statewide=False)
    assert moved.reassigned == 0 and moved.fix_id is None
    assert moved.message.startswith(f"{STATEWIDE_RECORDS_LEFT_TO_CHECK}: this login may not reassign 1 ")
    assert {row[0]: row[2] for row in active_set(db_engine)}[misplaced] == TRAVIS
    # The service's login makes both changes.
    assert _run(db_engine, "remove_duplicates", TRAVIS, [DUPLICATE_RECORDS]).removed == 1
    assert _run(db_engine, "fix_districts", TRAVIS, [WRONG_DISTRICT]).reassigned == 1


def test_undo_refused_while_a_later_fix_touched_the_same_rows(db_engine: Engine):
    with transaction(db_engine) as s:
        roster(s, TRAVIS, [("4000000001", "mail-in", None)])
    fill = _run(db_engine, "fill_gaps", TRAVIS, [MISSING_VUIDS])
    with transaction(db_engine) as s:
        record(s, "4000000001", TRAVIS, "early-voting")  # statewide arrives later
    dedupe = _run(db_engine, "remove_duplicates", TRAVIS, [DUPLICATE_RECORDS])
    assert dedupe.removed == 1
    with pytest.raises(UndoRefused, match=f"later fix\\(es\\) {dedupe.fix_id} "):
        _undo(db_engine, fill.fix_id)
    _undo(db_engine, dedupe.fix_id)
    assert _undo(db_engine, fill.fix_id).reversed == 1
    assert [row[1:5] for row in active_set(db_engine)] == [("4000000001", TRAVIS, "DEM", "early-voting")]


def test_manual_review_always_applies_and_writes_nothing(db_engine: Engine):
    with transaction(db_engine) as s:
        record(s, "5000000001", TRAVIS)
    before = table_snapshot(db_engine)
    with transaction(db_engine) as s:
        strategy = get_strategy("manual_review")
        ctx = context(s, TRAVIS, [])
        assert strategy.applies(ctx.diagnosis)
        result = strategy.execute(ctx)
    assert result.applied and result.changed == 0 and result.fix_id is None
    assert "contact the county" in result.message
    assert table_snapshot(db_engine) == before and fix_counts(db_engine) == (0, 0)


def test_strategies_on_matching_data_change_nothing(db_engine: Engine):
    with transaction(db_engine) as s:
        roster(s, TRAVIS, [("6000000001", "early-voting", "101")])
        precinct(s, TRAVIS, "101", "HD-49")
        record(s, "6000000001", TRAVIS, precinct="101", district="HD-49")
    before = table_snapshot(db_engine)
    for name in ("fill_gaps", "fix_districts", "remove_duplicates"):
        result = _run(db_engine, name, TRAVIS, [MISSING_VUIDS, WRONG_DISTRICT, DUPLICATE_RECORDS])
        assert (result.applied, result.changed, result.fix_id) == (False, 0, None)
    assert table_snapshot(db_engine) == before and fix_counts(db_engine) == (0, 0)
