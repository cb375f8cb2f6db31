"""``turnout outbox list|push``: the local queue of submissions made while the shared server was unreachable.

The outbox lives in the local database: ``--db`` when given, else the local SQLite file (TURNOUT_DB_URL
names the shared server, so it is not used for the outbox). ``push`` sends it to ``--server URL``
(default: TURNOUT_DB_URL).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from turnout_desktop.cli.common import ProgressBar, print_json
from turnout_desktop.errors import DatabaseUnavailable, InvalidRequest, PermissionDenied, TurnoutError

if TYPE_CHECKING:  # SQLAlchemy loads when a command opens the database, not for ``turnout --help``
    from turnout_desktop.services.context import AppContext

EXIT_UNREACHABLE = 2
DB_URL_ENV = "TURNOUT_DB_URL"  # db.session.DB_URL_ENV, spelled out so that ``--help`` needs no SQLAlchemy


def local_context(args: argparse.Namespace, *, user: str | None = None) -> AppContext:
    """The local database that holds the outbox: ``--db`` or the local SQLite file."""
    from turnout_desktop.services.connection import default_sqlite_url
    from turnout_desktop.services.context import open_context

    return open_context(getattr(args, "db", None) or default_sqlite_url(), user=user)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("outbox", help="submissions queued offline (local database)")
    actions = parser.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")

    list_parser = actions.add_parser("list", help="show the queued submissions")
    list_parser.add_argument("--pending", action="store_true", help="only items not pushed yet")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(func=run_list)

    push_parser = actions.add_parser("push", help="send the queued submissions to the shared server, exactly once")
    push_parser.add_argument("--server", metavar="URL", help=f"shared server URL (default: {DB_URL_ENV})")
    push_parser.add_argument("--user", help="who pushes, for a SQLite server only; on PostgreSQL the login of "
                             "--server pushes (each item keeps its offline submitter in its details)")
    push_parser.add_argument("--no-reconcile", action="store_true", help="store only; reconcile later")
    push_parser.add_argument("--json", action="store_true", help="print JSON")
    push_parser.set_defaults(func=run_push)


def run_list(args: argparse.Namespace) -> int:
    from turnout_desktop.services.outbox import list_outbox  # the outbox pre-checks with the readers (pandas)

    items = list_outbox(local_context(args), include_pushed=not args.pending)
    if args.json:
        print_json(items)
        return 0
    if not items:
        print("The outbox is empty.")
    for item in items:
        state = f"pushed {item.pushed_at:%Y-%m-%d %H:%M}" if item.pushed_at else "waiting"
        error = f"  last error: {item.last_error}" if item.last_error and not item.pushed_at else ""
        print(f"{item.id:>4}  {item.uuid}  {item.election}  {', '.join(item.counties)}  "
              f"{', '.join(item.files)}  by {item.user}  {state}{error}")
    return 0


def run_push(args: argparse.Namespace) -> int:
    from turnout_desktop.services.outbox import is_unreachable, open_server_context, push_outbox
    from turnout_desktop.services.outbox_results import PushStatus

    server_url = args.server or os.environ.get(DB_URL_ENV)
    if not server_url:
        raise TurnoutError(f"outbox push needs --server URL (or {DB_URL_ENV})")
    local = local_context(args, user=args.user)
    try:
        if args.user and server_url.startswith(("postgresql", "postgres:")):
            raise InvalidRequest("--user is not accepted on PostgreSQL: the login in --server pushes.")
        server = open_server_context(server_url, user=args.user or local.user, role=local.role, county=local.county)
    except DatabaseUnavailable as exc:
        if not is_unreachable(exc):  # the server answered and refused: exit 4 for a login without a role
            if args.json:
                print_json({"reachable": True, "error": str(exc), "items": []})
            raise
        if args.json:
            print_json({"reachable": False, "error": str(exc), "items": []})
        print(f"turnout: {str(exc).splitlines()[0]}; the outbox keeps its items.", file=sys.stderr)
        return EXIT_UNREACHABLE
    try:
        outcomes = push_outbox(local, server, progress=ProgressBar("push"), reconcile=not args.no_reconcile)
    finally:
        server.engine.dispose()
    unreachable = any(o.unreachable for o in outcomes)
    if args.json:
        print_json({"reachable": not unreachable, "items": outcomes})
    else:
        if not outcomes:
            print("Nothing to push.")
        for outcome in outcomes:
            ids = ", ".join(map(str, outcome.submission_ids)) or "-"
            detail = f": {outcome.error}" if outcome.status == PushStatus.FAILED else f" (submission {ids})"
            print(f"{outcome.id:>4}  {', '.join(outcome.counties)}  {outcome.status}{detail}")
            if outcome.reconcile_error:
                print(f"      reconciliation failed: {outcome.reconcile_error}")
    refused = next((o for o in outcomes if o.not_permitted), None)
    if refused is not None:  # a person must act (another login, a grant): a script must not read success
        print(f"turnout: outbox item {refused.id} refused: {refused.error}; it stays in the outbox.", file=sys.stderr)
        return PermissionDenied.exit_code
    unreconciled = next((o for o in outcomes if o.reconcile_not_permitted), None)
    if unreconciled is not None:
        print(f"turnout: outbox item {unreconciled.id} is stored, but its reconciliation was refused: "
              f"{unreconciled.reconcile_error}", file=sys.stderr)
        return PermissionDenied.exit_code
    return EXIT_UNREACHABLE if unreachable else 0
