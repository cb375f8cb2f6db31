"""``turnout init``: create or upgrade the schema."""

from __future__ import annotations

import argparse

from turnout_desktop.cli.common import context_from_args


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("init", help="create or upgrade a local SQLite database's schema (a shared "
                                   "PostgreSQL database is only checked here: turnout admin setup migrates it)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from turnout_desktop.services.connection import schema_revision

    context = context_from_args(args)
    print(f"database ready at schema revision {schema_revision(context)} ({context.backend})")
    return 0
