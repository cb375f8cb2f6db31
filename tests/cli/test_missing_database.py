"""A mistyped --db path: commands that read or decide on data refuse it (exit 2) instead of creating an empty
database that reports nothing; init, submit and the imports may start a new one (cli/common.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from turnout_desktop.cli.main import main as turnout_main


@pytest.mark.parametrize("command", [["status", "--election", "2026-03-03"], ["log"], ["check"], ["whoami"],
                                     ["gate", "--election", "2026-03-03", "--county", "Loving", "--party", "REP"]])
def test_a_mistyped_database_path_is_refused_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         command: list[str]) -> None:
    """A command that reads or decides on data never turns a wrong --db path into a new, empty database."""
    missing = tmp_path / "no such folder" / "turnout.db"
    assert turnout_main(["--db", f"sqlite:///{missing}", *command]) == 2
    assert "No database at" in capsys.readouterr().err
    assert not missing.exists() and not missing.parent.exists()


def test_init_and_submit_may_start_a_new_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = tmp_path / "new" / "turnout.db"
    assert turnout_main(["--db", f"sqlite:///{fresh}", "init"]) == 0
    assert fresh.is_file()
