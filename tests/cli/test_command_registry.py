"""The `turnout` command registry (cli/main.py COMMAND_MODULES): every listed module loads and registers its
commands, and a listed module that is missing or cannot import fails loudly instead of dropping its commands."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from turnout_desktop.cli import main as cli_main


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    (subparsers,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return set(subparsers.choices)


def test_every_listed_module_registers_commands() -> None:
    names = _command_names(cli_main.build_parser())
    assert {"submit", "reconcile", "import-statewide"} <= names


def test_a_missing_command_module_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = "turnout_desktop.cli.cmd_not_there"
    monkeypatch.setattr(cli_main, "COMMAND_MODULES", (*cli_main.COMMAND_MODULES, missing))
    with pytest.raises(ModuleNotFoundError, match="cmd_not_there"):
        cli_main.build_parser()
    with pytest.raises(ModuleNotFoundError, match="cmd_not_there"):
        cli_main.main(["--help"])


def test_a_command_module_that_cannot_import_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "turnout_broken_command.py").write_text(
        "import turnout_dependency_that_is_not_installed\n\n\ndef register(subparsers):\n"
        "    subparsers.add_parser('broken')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli_main, "COMMAND_MODULES", (*cli_main.COMMAND_MODULES, "turnout_broken_command"))
    with pytest.raises(ImportError, match="turnout_dependency_that_is_not_installed"):
        cli_main.build_parser()
