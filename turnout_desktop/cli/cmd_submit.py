"""``turnout submit``: pre-check, store and (unless --no-reconcile) reconcile a county upload."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from turnout_desktop.cli.cmd_precheck import problem_line
from turnout_desktop.cli.common import ProgressBar, context_from_args, parse_election, print_json
from turnout_desktop.domain.labels import status_text


def parse_mapping(text: str | None) -> dict[str, str] | None:
    """``vuid=Voter ID,party=Ballot Style`` -> {"vuid": "Voter ID", "party": "Ballot Style"}."""
    if not text:
        return None
    mapping: dict[str, str] = {}
    for part in text.split(","):
        key, sep, column = part.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise argparse.ArgumentTypeError(f"--map expects field=Column pairs, got {part!r}")
        mapping[key.strip().lower()] = column.strip()
    return mapping


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("submit", help="store a county upload and reconcile it")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="the county's turnout files (one upload)")
    parser.add_argument("--county", help="county of the upload (optional when the files name their counties)")
    parser.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD", help="election date")
    parser.add_argument("--user", help="who submits, on a local SQLite file only (recorded in the audit trail); "
                        "on PostgreSQL you act as the login you connect with and --user is refused")
    parser.add_argument("--party", help="party when the files do not say (DEM, REP, ...)")
    parser.add_argument("--method", help="voting method when the files do not say")
    parser.add_argument("--map", type=parse_mapping, metavar="field=Column,...", help="explicit column mapping")
    parser.add_argument("--no-reconcile", action="store_true", help="store only; reconcile later")
    parser.add_argument("--offline", action="store_true",
                        help="pre-check and queue in the local outbox (--db or the local file); see 'outbox push'")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from turnout_desktop.services.submission import submit_files  # the readers load pandas
    from turnout_desktop.services.upload_refusals import SubmissionBlocked

    try:
        if args.offline:
            return _queue_offline(args)
        context = context_from_args(args, user=args.user)
        result = submit_files(context, args.files, election=args.election, county=args.county, party=args.party,
                              method=args.method, mapping=args.map, reconcile=not args.no_reconcile,
                              progress=ProgressBar("submit"))
    except SubmissionBlocked as blocked:
        if args.json:
            print_json({"stored": False, "ready": False,
                        "problems": blocked.upload.problems})
        else:
            for problem in blocked.upload.problems:
                if problem.blocking:
                    print(problem_line(problem))
        print(f"turnout: {blocked}", file=sys.stderr)
        return blocked.exit_code
    if args.json:
        print_json(result)
    else:
        if result.duplicate and result.reconcile:
            print("The same file(s) are already the current upload for this county; its unfinished "
                  "reconciliation was finished now.")
        elif result.duplicate:
            print("The same file(s) are already the current upload for this county: nothing changed.")
        else:
            print(f"Stored {result.kind} upload for {', '.join(result.counties)} "
                  f"(submission {', '.join(map(str, result.submission_ids))}).")
        for item in result.reconcile:
            print(f"  {item.county} {item.party}: {status_text(item.status, item.final_accuracy_pct)} "
                  f"(expected {item.expected_total}, actual {item.actual_total}, "
                  f"accuracy {item.final_accuracy_pct}%)")
    return 0


def _queue_offline(args: argparse.Namespace) -> int:
    """``submit --offline``: the same pre-check as submit, then the upload waits in the local outbox."""
    from turnout_desktop.cli.cmd_outbox import local_context
    from turnout_desktop.services.outbox import queue_submission

    item = queue_submission(local_context(args, user=args.user), args.files, election=args.election,
                            county=args.county, party=args.party, method=args.method, mapping=args.map,
                            user=args.user)
    if args.json:
        print_json({"stored": False, "queued": True, "outbox_item": item})
    else:
        print(f"Queued {', '.join(item.files)} for {', '.join(item.counties)} in the outbox (item {item.id}, "
              f"uuid {item.uuid}); run 'turnout outbox push --server URL' when the server is reachable.")
    return 0
