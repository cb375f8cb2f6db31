"""``turnout report``: export a diagnostic report as PDF, CSV or XLSX."""

from __future__ import annotations

import argparse
from pathlib import Path

from turnout_desktop.cli.common import context_from_args, parse_election

# services.reporting.FORMATS (a test keeps them equal), spelled here so that ``turnout --help`` needs
# neither the report builder nor the ORM models it loads.
FORMATS = ("pdf", "csv", "xlsx")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` sub-command."""
    parser = subparsers.add_parser("report", help="export a diagnostic report (pdf, csv or xlsx)")
    parser.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD", help="election date")
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--county", help="one county only (SOS name)")
    scope.add_argument("--escalation", type=int, metavar="ID", help="one reconciliation log entry only")
    parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt", help="the file format")
    parser.add_argument("--out", required=True, type=Path, metavar="PATH",
                        help="output file, or a folder to get a generated safe name")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the report and print the path written."""
    from turnout_desktop.services.reporting import export_report

    context = context_from_args(args)  # the service refuses an unknown --county (exit 2) before writing anything
    path = export_report(context, election=args.election, fmt=args.fmt, out=args.out, county=args.county,
                         escalation_id=args.escalation)
    print(path)
    return 0
