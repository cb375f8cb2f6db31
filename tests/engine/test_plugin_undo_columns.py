"""A plugin strategy's fix is undoable only inside the built-ins' allow-list (``engine/undo_guard.py``
``UNDOABLE_COLUMNS``, ``engine/fixes.py`` ``TABLES``), as the ``Strategy`` protocol in ``engine/types.py``
tells plugin authors: a listed column is restored, another column or table refuses the whole undo."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from strategy_builders import context, record

from turnout_desktop.db.models import Fix, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.engine.fixes import UndoRefused, undo_fix
from turnout_desktop.engine.undo_guard import UNDOABLE_COLUMNS

COUNTY = "TRAVIS"


def _plugin_fix(engine: Engine, column: str, before: str, after: str) -> tuple[int, int]:
    """A plugin's fix that set one column of one record and recorded it; (fix id, record id)."""
    with transaction(engine) as session:
        row = record(session, "7100000001", COUNTY, source="county", precinct=before, district=before)
        recorder = context(session, COUNTY, []).fixes
        fix_id = recorder.begin("office_plugin", f"set {column}")
        setattr(row, column, after)
        recorder.updated("turnout_record", row.id, row.vuid, {column: before}, {column: after})
        return fix_id, row.id


def _value(engine: Engine, record_id: int, column: str) -> object:
    with transaction(engine) as session:
        row = session.get(TurnoutRecord, record_id)
        assert row is not None
        return getattr(row, column)


def test_a_plugin_fix_of_a_listed_column_is_undone(db_engine: Engine) -> None:
    assert "district" in UNDOABLE_COLUMNS["turnout_record"]
    fix_id, record_id = _plugin_fix(db_engine, "district", "D1", "D2")
    with transaction(db_engine) as session:
        assert undo_fix(session, fix_id, "admin").by_action == {"update": 1}
    assert _value(db_engine, record_id, "district") == "D1"


def test_a_plugin_fix_of_another_column_cannot_be_undone(db_engine: Engine) -> None:
    assert "precinct" not in UNDOABLE_COLUMNS["turnout_record"]
    fix_id, record_id = _plugin_fix(db_engine, "precinct", "101", "202")
    with transaction(db_engine) as session, pytest.raises(UndoRefused, match="would restore precinct"):
        undo_fix(session, fix_id, "admin")
    assert _value(db_engine, record_id, "precinct") == "202"
    with transaction(db_engine) as session:
        fix = session.get(Fix, fix_id)
        assert fix is not None and fix.undone_at is None


def test_a_plugin_fix_of_another_table_cannot_be_undone(db_engine: Engine) -> None:
    with transaction(db_engine) as session:
        recorder = context(session, COUNTY, []).fixes
        fix_id = recorder.begin("office_plugin", "wrote its own table")
        recorder.inserted("office_notes", 1, None, {"note": "checked"})
    with transaction(db_engine) as session, pytest.raises(UndoRefused, match="office_notes"):
        undo_fix(session, fix_id, "admin")
