"""Removing a demo database deletes only what is demo data (services/demo.py ``remove_demo_database``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from turnout_desktop.db import settings_store
from turnout_desktop.db.session import transaction
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services.context import open_context
from turnout_desktop.services.demo import holds_demo_data, is_demo_folder, make_temporary_folder, remove_demo_database


def _database(path: Path, *, demo: bool) -> Path:
    ctx = open_context(f"sqlite:///{path}")
    if demo:
        with transaction(ctx.engine) as session:
            settings_store.set_setting(session, settings_store.DEMO_DATA, "true")
    assert holds_demo_data(ctx) is demo
    ctx.engine.dispose()
    return path


def test_a_real_database_is_never_removed(tmp_path: Path) -> None:
    real = _database(tmp_path / "turnout.db", demo=False)
    with pytest.raises(InvalidRequest, match="holds no demo data"):
        remove_demo_database(real)
    assert real.exists()


def test_a_demo_file_outside_a_demo_folder_goes_alone(tmp_path: Path) -> None:
    (tmp_path / "office").mkdir()
    demo = _database(tmp_path / "office" / "demo.db", demo=True)
    neighbour = tmp_path / "office" / "county.csv"
    neighbour.write_text("VUID\n", encoding="utf-8")
    assert not is_demo_folder(demo.parent)
    remove_demo_database(demo)
    assert not demo.exists() and neighbour.exists()  # the folder is not a demo folder: only the database goes


def test_a_temporary_demo_folder_goes_whole() -> None:
    folder = make_temporary_folder()
    demo = _database(folder / "demo.db", demo=True)
    (folder / "kent_summary.csv").write_text("Party\n", encoding="utf-8")
    assert is_demo_folder(folder)
    remove_demo_database(demo)
    assert not folder.exists()
