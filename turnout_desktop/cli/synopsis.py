"""The README's command-line synopsis, generated from the argparse tree (``tools/cli_synopsis.py`` writes it).

One line per runnable command, as ``--help`` would accept it: the global options before the command,
positionals, then options in the order they were declared; an option in ``[]`` unless argparse requires it
(or its help text ends with ``(required)``: ``override`` checks its options itself because ``override revoke``
shares its parser); a mutually exclusive group as ``[a | b]`` (``(a | b)`` when one is required); choices as
``a|b|c``; a repeatable option as ``--opt X [--opt X ...]``. tests/cli/test_cli_synopsis.py keeps the README
equal to this text.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

START_MARKER = "<!-- cli-synopsis:start -->"
END_MARKER = "<!-- cli-synopsis:end -->"
REQUIRED_BY_COMMAND = "(required)"  # help suffix of an option its command checks itself
REGENERATE = "python tools/cli_synopsis.py --write"


def synopsis_lines(parser: argparse.ArgumentParser) -> list[str]:
    """``PROG [global options] COMMAND ...`` for every runnable command of ``parser``, in registration order."""
    prefix = " ".join([parser.prog, *_parts(parser)])
    return [" ".join([prefix, *path, *_parts(command)]) for path, command in _commands(parser)]


def synopsis_block(parser: argparse.ArgumentParser) -> str:
    """The README text between the markers: the synopsis as a fenced code block."""
    return "```\n" + "\n".join(synopsis_lines(parser)) + "\n```\n"


def with_synopsis(readme: str, block: str) -> str:
    """``readme`` with the text between the synopsis markers replaced by ``block``."""
    before, after = _split(readme)
    return f"{before}{START_MARKER}\n{block}{END_MARKER}{after}"


def current_synopsis(readme: str) -> str:
    """The text the README holds between the synopsis markers (the markers' own lines left out)."""
    before, after = _split(readme)
    inner = readme[len(before) + len(START_MARKER):len(readme) - len(after) - len(END_MARKER)]
    return inner.removeprefix("\n")


def _split(readme: str) -> tuple[str, str]:
    start, end = readme.find(START_MARKER), readme.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"README.md lacks the markers {START_MARKER} ... {END_MARKER}")
    return readme[:start], readme[end + len(END_MARKER):]


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    found = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return found[0] if found else None


def _commands(parser: argparse.ArgumentParser,
              path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Each runnable (sub-)command: a parser whose actions are optional runs itself as well as its children."""
    subparsers = _subparsers(parser)
    if subparsers is None:
        yield path, parser
        return
    if path and not subparsers.required:
        yield path, parser
    for name, child in subparsers.choices.items():
        yield from _commands(child, (*path, name))


def _parts(parser: argparse.ArgumentParser) -> list[str]:
    """The usage of ``parser``'s own arguments: positionals first, then options in declaration order."""
    groups = {id(action): group for group in parser._mutually_exclusive_groups for action in group._group_actions}
    visible = [action for action in parser._actions if action.help != argparse.SUPPRESS
               and not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)]
    parts = [_positional(action) for action in visible if not action.option_strings]
    shown: set[int] = set()
    for action in visible:
        if not action.option_strings:
            continue
        group = groups.get(id(action))
        if group is None:
            parts.append(_optional(action))
        elif id(group) not in shown:
            shown.add(id(group))
            choices = " | ".join(_optional(member, bracket=False) for member in group._group_actions)
            parts.append(f"({choices})" if group.required else f"[{choices}]")
    return parts


def _metavar(action: argparse.Action) -> str:
    if isinstance(action.metavar, str):
        return action.metavar
    if action.choices is not None:
        return "|".join(str(choice) for choice in action.choices)
    return action.dest.upper() if action.option_strings else action.dest


def _with_nargs(action: argparse.Action, metavar: str) -> str:
    if action.nargs == argparse.OPTIONAL:
        return f"[{metavar}]"
    if action.nargs == argparse.ZERO_OR_MORE:
        return f"[{metavar} ...]"
    if action.nargs == argparse.ONE_OR_MORE:
        return f"{metavar} [{metavar} ...]"
    if isinstance(action.nargs, int):
        return " ".join([metavar] * action.nargs)
    return metavar


def _positional(action: argparse.Action) -> str:
    return _with_nargs(action, _metavar(action))


def _optional(action: argparse.Action, *, bracket: bool = True) -> str:
    option = action.option_strings[0]
    usage = option if action.nargs == 0 else f"{option} {_with_nargs(action, _metavar(action))}"
    required = action.required or (action.help or "").endswith(REQUIRED_BY_COMMAND)
    if isinstance(action, argparse._AppendAction):
        return f"{usage} [{usage} ...]" if required else f"[{usage} ...]"
    return usage if required or not bracket else f"[{usage}]"
