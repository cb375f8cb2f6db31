"""``turnout import-statewide`` and ``turnout import-precincts``."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from turnout_desktop.cli.common import ProgressBar, context_from_args, parse_election, print_json
from turnout_desktop.domain.codes import VotingMethod


def register(subparsers: argparse._SubParsersAction) -> None:
    statewide = subparsers.add_parser("import-statewide", help="load statewide roster files (idempotent)")
    statewide.add_argument("files", nargs="+", type=Path, metavar="FILE",
                           help="statewide roster files (csv, txt or zip)")
    statewide.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD",
                           help="election date")
    statewide.add_argument("--party", help="party of a one-party primary file without a party column")
    statewide.add_argument("--in-person-method", choices=[VotingMethod.EARLY_VOTING.value,
                                                          VotingMethod.ELECTION_DAY.value],
                           help="what SOS IN-PERSON rows mean in these files")
    statewide.add_argument("--as-of", type=parse_as_of, metavar="YYYY-MM-DD[THH:MM]",
                           help="snapshot time of these files; beats an 'asof_DATE' marker in the name and the "
                                "latest vote date in the file")
    statewide.add_argument("--json", action="store_true", help="print the result as JSON")
    statewide.set_defaults(func=run_statewide)

    precincts = subparsers.add_parser("import-precincts", help="load a precinct-to-district map")
    precincts.add_argument("file", type=Path, metavar="FILE", help="a spreadsheet of county, precinct and district")
    precincts.add_argument("--json", action="store_true", help="print the result as JSON")
    precincts.set_defaults(func=run_precincts)


def parse_as_of(text: str) -> dt.datetime:
    """``2026-03-01`` (midnight) or ``2026-03-01T14:30``: the snapshot time as written, no time zone."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, got {text!r}") from exc
    if value.tzinfo is not None:
        raise argparse.ArgumentTypeError(f"write the as-of time without a time zone, got {text!r}")
    return value


def run_statewide(args: argparse.Namespace) -> int:
    from turnout_desktop.services.submission import import_statewide  # loads pandas: only when importing
    from turnout_desktop.services.submission_results import StatewideFileLoaded

    context = context_from_args(args)
    result = import_statewide(context, args.files, election=args.election, party=args.party,
                              in_person_method=args.in_person_method, progress=ProgressBar("import"),
                              as_of=args.as_of)
    if args.json:
        print_json(result)
    else:
        for item in result.files:
            if not isinstance(item, StatewideFileLoaded):
                print(f"{item.file}: already imported (same sha256), skipped")
            else:
                as_of = f"as of {item.as_of} ({item.as_of_from})" if item.as_of else "as of unknown"
                print(f"{item.file}: {item.rows_read:,} rows read, {item.inserted:,} new records, "
                      f"{item.already_present:,} already present or repeated; {as_of}")
    return 0


def run_precincts(args: argparse.Namespace) -> int:
    from turnout_desktop.services.precinct_import import import_precincts

    context = context_from_args(args)
    result = import_precincts(context, args.file)
    if args.json:
        print_json(result)
    else:
        print(f"{result.file}: {result.rows} rows, {result.inserted} new, {result.updated} changed")
    return 0
