"""``turnout self-test``: check this installation end to end on a throw-away database (services/self_test.py)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``self-test`` sub-command."""
    parser = subparsers.add_parser(
        "self-test", help="check this installation on a temporary database: migrations, a bundled sample "
                          "imported and reconciled, a PDF rendered (exit 0 only if every check passes)")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON instead of one line each")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """One line per check as it finishes ("ok  migrations", "FAIL pdf: ..."); exit 0 only if all passed.

    ``--db`` is not used: the self-test never touches the configured database.
    """
    from turnout_desktop.cli.common import print_json
    from turnout_desktop.services.self_test import run_self_test

    if args.json:
        result = run_self_test()
        print_json(result)
    else:
        result = run_self_test(on_check=lambda check: print(check.line(), flush=True))
    return 0 if result.passed else 1
