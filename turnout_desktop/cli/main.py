"""``turnout`` entry point: global options, sub-command registry, exit codes.

Exit codes (a stable contract): 0 the command ran to the end; 1 pre-check problems block the
file (or ``audit verify`` / ``check`` found the audit chain broken); 2 bad input or unreachable
database (reason on stderr); 3 with ``--strict`` when anything is not RESOLVED; 4 the signed-in role
may not do this (``not permitted: ROLE may not ACTION``), whether the service or PostgreSQL refused.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from turnout_desktop.errors import INSUFFICIENT_PRIVILEGE, TurnoutError

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_BAD_INPUT = 2
EXIT_NOT_RESOLVED = 3
EXIT_NOT_PERMITTED = 4
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a writer whose reader went away
EPILOG = """exit codes:
  0  the command ran to the end (statuses are in the output)
  1  pre-check problems block the file; the audit chain is broken (audit verify, check)
  2  bad input or unreachable database (the reason is on stderr)
  3  with --strict: something is not RESOLVED
  4  not permitted: the signed-in role may not do this (refused by Turnout or by PostgreSQL)

database: --db URL, else TURNOUT_DB_URL, else the local SQLite file. On PostgreSQL you act as the login
in the URL; your role and counties come from the database (turnout whoami)."""

# Each module exposes ``register(subparsers)``; its sub-commands set ``func(args) -> int``.
COMMAND_MODULES = (
    "turnout_desktop.cli.cmd_init",
    "turnout_desktop.cli.cmd_precheck",
    "turnout_desktop.cli.cmd_imports",
    "turnout_desktop.cli.cmd_submit",
    "turnout_desktop.cli.cmd_engine",
    "turnout_desktop.cli.cmd_decisions",
    "turnout_desktop.cli.cmd_source",
    "turnout_desktop.cli.cmd_report",
    "turnout_desktop.cli.cmd_outbox",
    "turnout_desktop.cli.cmd_admin",
    "turnout_desktop.cli.cmd_identity",
    "turnout_desktop.cli.cmd_certify",
    "turnout_desktop.cli.cmd_schedule",
    "turnout_desktop.cli.cmd_self_test",
)


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; keep the message on stderr."""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="turnout", description="Turnout Desktop command line.", epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", metavar="URL", help="database URL (default: TURNOUT_DB_URL, else the local file)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # here, not at exit: a reader that went away (``| head``) is handled below
        return code
    except BrokenPipeError:
        # The reader closed the pipe (``turnout log --json | head -1``): stop quietly, as other Unix tools do.
        # Output still buffered would fail again at exit, so stdout is pointed at the null device first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except TurnoutError as exc:
        if str(exc).startswith("not permitted:"):  # one line: not permitted: ROLE may not ACTION
            print(str(exc).splitlines()[0], file=sys.stderr)
            return exc.exit_code
        print(f"turnout: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - only a privilege refused by the database is handled; the rest re-raises
        if _value_refused(exc):  # e.g. an id beyond the column's integer range: bad input, not a traceback
            reason = str(getattr(exc, "orig", exc)).splitlines()[0]
            print(f"turnout: error: the database refused a value: {reason}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if not _privilege_refused(exc):
            raise
        from turnout_desktop.cli import common

        print(f"not permitted: {common.acting_role or 'this login'} may not {args.command}", file=sys.stderr)
        logging.getLogger(__name__).info("refused by the database: %s", getattr(exc, "orig", exc))
        return EXIT_NOT_PERMITTED
    except KeyboardInterrupt:
        print("turnout: interrupted", file=sys.stderr)
        return 130


def _privilege_refused(error: Exception) -> bool:
    """True for PostgreSQL's refusal of a privilege or a row-level security check (SQLSTATE 42501).

    SQLAlchemy is looked up, not imported: a command that never loaded it (``--help``) cannot have
    raised its error, and ``turnout --help`` starts without it.
    """
    dbapi_error = getattr(sys.modules.get("sqlalchemy.exc"), "DBAPIError", None)
    return (dbapi_error is not None and isinstance(error, dbapi_error)
            and getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE)


def _value_refused(error: Exception) -> bool:
    """True for PostgreSQL's "data exception" class (SQLSTATE 22xxx: a number out of range, a text too long)."""
    data_error = getattr(sys.modules.get("sqlalchemy.exc"), "DataError", None)
    return (data_error is not None and isinstance(error, data_error)
            and str(getattr(error.orig, "sqlstate", None) or "").startswith("22"))


if __name__ == "__main__":
    sys.exit(main())
