"""Every argument and every (sub-)command of ``turnout`` and ``turnout-desktop`` has a help text.

The parsers are walked recursively, so a command added later (with its sub-commands) is covered without
changing this test.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from turnout_desktop.cli.main import build_parser as turnout_parser
from turnout_desktop.gui.app import build_parser as desktop_parser


def actions_without_help(parser: argparse.ArgumentParser, path: str) -> Iterator[str]:
    """``path option`` for every argument or sub-command of ``parser`` (and its sub-parsers) lacking a help."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helped = {choice.dest for choice in action._choices_actions if choice.help}
            for name, child in action.choices.items():
                if name not in helped:
                    yield f"{path} {name} (the command itself)"
                yield from actions_without_help(child, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction) and not (action.help or "").strip():
            yield f"{path} {'/'.join(action.option_strings) or action.metavar or action.dest}"


@pytest.mark.parametrize("build, prog", [(turnout_parser, "turnout"), (desktop_parser, "turnout-desktop")])
def test_every_argument_has_help(build: object, prog: str) -> None:
    assert callable(build)
    missing = list(actions_without_help(build(), prog))
    assert missing == [], "arguments without a help text:\n" + "\n".join(missing)


def test_the_walk_finds_a_missing_help_deep_in_the_tree() -> None:
    parser = argparse.ArgumentParser(prog="demo")
    commands = parser.add_subparsers(dest="command")
    outer = commands.add_parser("outer", help="has help")
    inner = outer.add_subparsers(dest="action").add_parser("inner")  # no help for the command
    inner.add_argument("--flag", action="store_true")  # nor for its option
    inner.add_argument("--named", help="   ")  # blank counts as none
    assert list(actions_without_help(parser, "demo")) == [
        "demo outer inner (the command itself)", "demo outer inner --flag", "demo outer inner --named"]
