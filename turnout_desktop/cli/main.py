"""``turnout`` entry point: global options, sub-command registry, exit codes.

Exit codes (a stable contract): 0 the command ran to the end; 1 pre-check problems block the
file; 2 bad input or unreachable database (reason on stderr); 3 with ``--strict`` when anything
is not RESOLVED.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from turnout_desktop.errors import TurnoutError

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_RESOLVED = 3

# Each module exposes ``register(subparsers)``; its sub-commands set ``func(args) -> int``.
COMMAND_MODULES = (
    "turnout_desktop.cli.cmd_init",
    "turnout_desktop.cli.cmd_precheck",
    "turnout_desktop.cli.cmd_imports",
    "turnout_desktop.cli.cmd_submit",
    "turnout_desktop.cli.cmd_engine",
    "turnout_desktop.cli.cmd_report",
    "turnout_desktop.cli.cmd_outbox",
)


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep the message on stderr."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="turnout", description="Turnout Desktop command line.")
    parser.add_argument("--db", metavar="URL", help="database URL (default: TURNOUT_DB_URL, else the local file)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a command group not built yet
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except TurnoutError as exc:
        print(f"turnout: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("turnout: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
