"""``turnout import-statewide`` and ``turnout import-precincts``."""

from __future__ import annotations

import argparse
from pathlib import Path

from turnout_desktop.cli.common import ProgressBar, context_from_args, parse_election, print_json
from turnout_desktop.domain.codes import VotingMethod
from turnout_desktop.services.submission import import_precincts, import_statewide


def register(subparsers: argparse._SubParsersAction) -> None:
    statewide = subparsers.add_parser("import-statewide", help="load statewide roster files (idempotent)")
    statewide.add_argument("files", nargs="+", type=Path, metavar="FILE")
    statewide.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD")
    statewide.add_argument("--party", help="party of a one-party primary file without a party column")
    statewide.add_argument("--in-person-method", choices=[VotingMethod.EARLY_VOTING.value,
                                                          VotingMethod.ELECTION_DAY.value],
                           help="what SOS IN-PERSON rows mean in these files")
    statewide.add_argument("--json", action="store_true", help="print the result as JSON")
    statewide.set_defaults(func=run_statewide)

    precincts = subparsers.add_parser("import-precincts", help="load a precinct-to-district map")
    precincts.add_argument("file", type=Path, metavar="FILE")
    precincts.add_argument("--json", action="store_true")
    precincts.set_defaults(func=run_precincts)


def run_statewide(args: argparse.Namespace) -> int:
    context = context_from_args(args)
    result = import_statewide(context, args.files, election=args.election, party=args.party,
                              in_person_method=args.in_person_method, progress=ProgressBar("import"))
    if args.json:
        print_json(result)
    else:
        for item in result["files"]:
            if item["skipped_file"]:
                print(f"{item['file']}: already imported (same sha256), skipped")
            else:
                print(f"{item['file']}: {item['rows_read']:,} rows read, {item['inserted']:,} new records, "
                      f"{item['already_present']:,} already present or repeated")
    return 0


def run_precincts(args: argparse.Namespace) -> int:
    context = context_from_args(args)
    result = import_precincts(context, args.file)
    if args.json:
        print_json(result)
    else:
        print(f"{result['file']}: {result['rows']} rows, {result['inserted']} new, {result['updated']} changed")
    return 0
