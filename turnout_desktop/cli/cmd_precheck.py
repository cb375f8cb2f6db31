"""``turnout precheck FILE...``: offline pre-check of a county upload (no database needed).

Exit 0 ready to submit, 1 blocking problems, 2 the files cannot be read (reason on stderr; with
``--json`` a JSON object with ``ready: false`` and the error is printed as well).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from turnout_desktop.cli.common import parse_election, print_json
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.precheck import PrecheckReport, precheck_files

EXIT_OK, EXIT_BLOCKED, EXIT_BAD_INPUT = 0, 1, 2


def parse_map(text: str) -> dict[str, str]:
    """``vuid=Voter ID,party=Ballot Style`` -> ``{"vuid": "Voter ID", "party": "Ballot Style"}``."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        field, sep, title = part.partition("=")
        if not sep or not field.strip() or not title.strip():
            raise argparse.ArgumentTypeError(f"expected FIELD=Column title, got {part!r}")
        mapping[field.strip()] = title.strip()
    return mapping


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("precheck", help="check county files offline before submitting them")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--county", help="the county submitting (rows of other counties then block)")
    parser.add_argument("--election", type=parse_election, help="election date YYYY-MM-DD")
    parser.add_argument("--party", help="party when the file does not say (DEM, REP, ...)")
    parser.add_argument("--method", help="voting method when the file does not say")
    parser.add_argument("--map", type=parse_map, default=None, metavar="FIELD=Column,...",
                        help="explicit column mapping, e.g. vuid=Voter ID,party=Ballot Style")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        report = precheck_files(args.files, county=args.county, election=args.election, party=args.party,
                                method=args.method, mapping=args.map)
    except ImportRejected as error:
        print(f"turnout: error: {error}", file=sys.stderr)
        if args.json:
            print_json({"layout": None, "rows": 0, "counts": [], "problems": [], "ready": False,
                        "error": {"message": str(error), "reason": error.reason, "file": error.file,
                                  "sheet": error.sheet, "row": error.row, "column": error.column}})
        return EXIT_BAD_INPUT
    if args.json:
        print_json(report.to_json())
    else:
        print_human(report)
    return EXIT_OK if report.ready else EXIT_BLOCKED


def print_human(report: PrecheckReport) -> None:
    """Layout, rows read, the counts table and every problem with its row number."""
    out = sys.stdout
    for layout in (layout for f in report.upload.files for layout in f.layouts):
        where = f"{layout.file}" + (f" [{layout.sheet}]" if layout.sheet else "")
        encoding = f", encoding {layout.encoding}" if layout.encoding else ""
        out.write(f"{where}: {layout.kind}, parser {layout.parser}{encoding}, header on row {layout.header_row}, "
                  f"{layout.rows_read} rows\n")
        out.write("  columns: " + ", ".join(f"{k}={v!r}" for k, v in layout.mapping.items()) + "\n")
    out.write(f"\nRows read: {report.rows}\n\n")
    out.write(f"{'County':<16}{'Party':<7}{'Method':<14}{'Count':>10}\n")
    for count in report.upload.counts:
        out.write(f"{count.county:<16}{count.party:<7}{count.voting_method:<14}{count.count:>10,}\n")
    problems = report.upload.problems
    blocking = sum(p.blocking for p in problems)
    out.write(f"\nProblems: {len(problems)} ({blocking} blocking)\n")
    for problem in problems:
        place = ", ".join(part for part in (
            problem.file, f"sheet {problem.sheet}" if problem.sheet else "",
            f"row {problem.row}" if problem.row is not None else "",
            f"column {problem.column!r}" if problem.column else "") if part)
        value = f" value {problem.value!r}" if problem.value is not None else ""
        flag = "BLOCKING" if problem.blocking else "info"
        out.write(f"  [{flag}] {problem.code}: {place}{value}: {problem.message}\n")
    out.write("\nReady to submit.\n" if report.ready else "\nNot ready: fix the blocking problems first.\n")
