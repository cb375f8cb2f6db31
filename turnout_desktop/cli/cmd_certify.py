"""``turnout certify`` / ``turnout uncertify`` / ``turnout certifications``: lock an election or a county (admin)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from turnout_desktop.cli.common import context_from_args, parse_election, print_json
from turnout_desktop.domain.scope import Scope

if TYPE_CHECKING:
    from turnout_desktop.services.certification import CertificationRecord

EXIT_OK = 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the certification sub-commands."""
    for name, func, text in (
        ("certify", run_certify, "certify an election or one county (admin): later changes to it are refused"),
        ("uncertify", run_uncertify, "revoke a certification (admin, audited): changes are accepted again"),
    ):
        parser = subparsers.add_parser(name, help=text, description=text)
        parser.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD",
                            help="election date")
        parser.add_argument("--county", help="one county only (default: the whole election)")
        parser.add_argument("--reason", required=True, metavar="TEXT", help="why (kept with the certification)")
        parser.add_argument("--user", help="who acts, on a local SQLite file only (recorded with the certification); "
                            "on PostgreSQL you act as the login you connect with and --user is refused")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.set_defaults(func=func)
    listing = subparsers.add_parser("certifications", help="the certifications of an election, revoked ones too")
    listing.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD", help="election date")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)


def _scope(row: CertificationRecord) -> str:
    return f"{row.county} {row.election}" if row.county else f"the election of {row.election}"


def run_certify(args: argparse.Namespace) -> int:
    """``turnout certify``."""
    from turnout_desktop.services.certification import certify

    row = certify(context_from_args(args, user=args.user), Scope(args.election, args.county), reason=args.reason)
    if args.json:
        print_json(row)
    else:
        print(f"{_scope(row)} certified on {row.certified_at[:10]} by {row.certified_by} "
              f"(certification {row.id})")
    return EXIT_OK


def run_uncertify(args: argparse.Namespace) -> int:
    """``turnout uncertify``."""
    from turnout_desktop.services.certification import uncertify

    row = uncertify(context_from_args(args, user=args.user), Scope(args.election, args.county), reason=args.reason)
    if args.json:
        print_json(row)
    else:
        print(f"{_scope(row)} is no longer certified (certification {row.id} revoked by {row.revoked_by})")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """``turnout certifications``."""
    from turnout_desktop.services.certification import list_certifications

    rows = list_certifications(context_from_args(args), args.election)
    if args.json:
        print_json({"certifications": rows})
        return EXIT_OK
    for row in rows:
        state = "in force" if row.in_force else f"revoked {(row.revoked_at or '')[:10]} by {row.revoked_by}"
        print(f"{row.id:>4}  {row.county or '(whole election)':20} certified {row.certified_at[:10]} by "
              f"{row.certified_by}  {state}  {row.reason}")
    return EXIT_OK
