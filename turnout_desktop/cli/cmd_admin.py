"""``turnout admin``: schema, roles and county grants of a shared PostgreSQL database (owner login)."""

from __future__ import annotations

import argparse

from turnout_desktop.cli.common import print_json
from turnout_desktop.domain.permissions import Role


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "admin", help="set up a shared PostgreSQL database and grant roles (run with --db OWNER_URL)",
        description="Run as the login that owns the database. Logins and passwords are created by the database "
                    "administrator (CREATE ROLE name LOGIN PASSWORD ...); these commands grant them a Turnout role.")
    actions = parser.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    setup = actions.add_parser("setup", help="create or upgrade schema, group roles, privileges and row-level "
                                             "security (running it twice changes nothing)")
    setup.set_defaults(func=run_setup)
    clerk = actions.add_parser("grant-clerk", help="make LOGIN a clerk of the given counties (replaces its grants)")
    clerk.add_argument("login", metavar="LOGIN", help="an existing PostgreSQL login role")
    clerk.add_argument("--county", action="append", required=True, metavar="C",
                       help="a county the clerk may see and change (repeat for several)")
    clerk.set_defaults(func=run_grant, role=Role.CLERK)
    for name, role, text in (("grant-admin", Role.ADMIN, "make LOGIN a state data admin (every county)"),
                             ("grant-auditor", Role.AUDITOR, "make LOGIN an auditor (reads everything, changes "
                                                             "nothing)"),
                             ("grant-service", Role.SERVICE, "make LOGIN the scheduled check's service login")):
        grant = actions.add_parser(name, help=text)
        grant.add_argument("login", metavar="LOGIN", help="an existing PostgreSQL login role")
        grant.set_defaults(func=run_grant, role=role, county=None)
    revoke = actions.add_parser("revoke", help="take every Turnout role and county away from LOGIN")
    revoke.add_argument("login", metavar="LOGIN", help="an existing PostgreSQL login role")
    revoke.set_defaults(func=run_revoke)
    listing = actions.add_parser("list", help="logins holding a Turnout role, with their counties")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)


def run_setup(args: argparse.Namespace) -> int:
    from turnout_desktop.services import admin  # the ORM models: loaded by the command, not by ``--help``

    with admin.owner_engine(args.db) as engine:
        revision = admin.setup(engine)
    print(f"shared database ready at schema revision {revision}: group roles, privileges and row-level security "
          "applied")
    return 0


def run_grant(args: argparse.Namespace) -> int:
    from turnout_desktop.services import admin

    with admin.owner_engine(args.db) as engine:
        granted = admin.grant(engine, args.login, args.role, args.county)
    counties = f" for {', '.join(granted.counties)}" if granted.counties else ""
    print(f"{granted.login} is now {granted.role}{counties}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from turnout_desktop.services import admin

    with admin.owner_engine(args.db) as engine:
        admin.revoke(engine, args.login)
    print(f"{args.login} holds no Turnout role any more")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from turnout_desktop.services import admin

    with admin.owner_engine(args.db) as engine:
        grants = admin.list_grants(engine)
    if args.json:
        print_json(grants)
        return 0
    for grant in grants:
        print(f"{grant.login:30} {grant.role:8} {', '.join(grant.counties)}")
    return 0
