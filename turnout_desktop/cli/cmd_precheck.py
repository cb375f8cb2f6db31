"""``turnout precheck FILE...``: offline pre-check of a county upload (no database needed).

Exit 0 ready to submit, 1 blocking problems, 2 the files cannot be read (reason on stderr; with
``--json`` a JSON object with ``ready: false`` and the error is printed as well).

With ``--election``, the official counts are compared with the local cache of statewide counts
(table ``statewide_count_cache``) of the database named by ``--db`` / TURNOUT_DB_URL / the local
file, when that database exists and is readable (``services/statewide_cache.py``, the wizard's reader too).
The database is only read, never created; an unreadable cache never fails the pre-check ("no statewide
cache" is printed instead).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from turnout_desktop.cli.common import parse_election, print_json
from turnout_desktop.errors import ImportRejected

if TYPE_CHECKING:  # the readers load pandas, the cache reader SQLAlchemy: both load when a pre-check runs
    from turnout_desktop.services.precheck import PrecheckReport, Problem
    from turnout_desktop.services.statewide_cache import StatewideCache

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
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="the county's turnout files")
    parser.add_argument("--county", help="the county submitting (rows of other counties then block)")
    parser.add_argument("--election", type=parse_election, metavar="YYYY-MM-DD", help="election date")
    parser.add_argument("--party", help="party when the file does not say (DEM, REP, ...)")
    parser.add_argument("--method", help="voting method when the file does not say")
    parser.add_argument("--map", type=parse_map, default=None, metavar="FIELD=Column,...",
                        help="explicit column mapping, e.g. vuid=Voter ID,party=Ballot Style")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from turnout_desktop.services.precheck import precheck_upload
    from turnout_desktop.services.statewide_cache import read_statewide_cache

    # ``--db`` is a global option (``turnout --db URL precheck ...``); absent when called directly.
    cache = read_statewide_cache(getattr(args, "db", None), args.election)
    try:
        report = precheck_upload(args.files, county=args.county, election=args.election, party=args.party,
                                 method=args.method, mapping=args.map, statewide_counts=cache.counts).report
    except ImportRejected as error:
        print(f"turnout: error: {error}", file=sys.stderr)
        if args.json:
            print_json({"layout": None, "rows": 0, "counts": [], "problems": [], "ready": False,
                        "error": {"message": str(error), "reason": error.reason, "file": error.file,
                                  "sheet": error.sheet, "row": error.row, "column": error.column}})
        return EXIT_BAD_INPUT
    if args.json:
        # The five contract keys, plus "statewide" only when a cache was compared.
        print_json(precheck_json(report))
        if cache.counts is None:
            print(f"turnout: {cache.note}", file=sys.stderr)
    else:
        print_human(report, cache)
    return EXIT_OK if report.ready else EXIT_BLOCKED


def precheck_json(report: PrecheckReport) -> dict[str, Any]:
    """Stable keys: layout, rows, counts, problems, ready (+ statewide when counts were compared)."""
    payload: dict[str, Any] = {"layout": report.layout, "rows": report.rows, "counts": report.upload.counts,
                               "problems": report.upload.problems, "ready": report.ready}
    if report.statewide_counts is not None:
        payload["statewide"] = report.statewide_comparison
    return payload


def print_statewide(report: PrecheckReport, cache: StatewideCache) -> None:
    """Official count beside the cached statewide count per county, party and method."""
    out = sys.stdout
    if cache.counts is None:
        out.write(f"\nStatewide comparison: {cache.note}\n")
        return
    out.write(f"\nStatewide comparison ({cache.note}):\n")
    out.write(f"{'County':<16}{'Party':<7}{'Method':<14}{'Official':>10}{'Statewide':>11}{'Difference':>12}\n")
    for line in report.statewide_comparison:
        statewide = "-" if line.statewide is None else f"{line.statewide:,}"
        difference = "-" if line.difference is None else f"{line.difference:+,}"
        out.write(f"{line.county:<16}{line.party:<7}{line.voting_method:<14}{line.official:>10,}"
                  f"{statewide:>11}{difference:>12}\n")


def print_human(report: PrecheckReport, cache: StatewideCache | None = None) -> None:
    """Layout, rows read, the counts table and every problem with its row number."""
    out = sys.stdout
    for layout in (layout for f in report.upload.files for layout in f.layouts):
        where = f"{layout.file}" + (f" [{layout.sheet}]" if layout.sheet else "")
        encoding = f", encoding {layout.encoding}" if layout.encoding else ""
        header = f"header on row {layout.header_row}" if layout.header_row else "no header row (a sibling sheet's)"
        out.write(f"{where}: {layout.kind}, parser {layout.parser}{encoding}, {header}, {layout.rows_read} rows\n")
        out.write("  columns: " + ", ".join(f"{k}={v!r}" for k, v in layout.mapping.items()) + "\n")
    out.write(f"\nRows read: {report.rows}\n\n")
    out.write(f"{'County':<16}{'Party':<7}{'Method':<14}{'Count':>10}\n")
    for count in report.upload.counts:
        out.write(f"{count.county:<16}{count.party:<7}{count.voting_method:<14}{count.count:>10,}\n")
    if cache is not None:
        print_statewide(report, cache)
    problems = report.upload.problems
    blocking = sum(p.blocking for p in problems)
    out.write(f"\nProblems: {len(problems)} ({blocking} blocking)\n")
    for problem in problems:
        out.write(f"  {problem_line(problem)}\n")
    out.write("\nReady to submit.\n" if report.ready else "\nNot ready: fix the blocking problems first.\n")


def problem_line(problem: Problem) -> str:
    """One problem for people: where, the value, what is wrong (the code stays in --json)."""
    place = ", ".join(part for part in (
        problem.file, f"sheet {problem.sheet}" if problem.sheet else "",
        f"row {problem.row}" if problem.row is not None else "",
        f"column {problem.column!r}" if problem.column else "") if part)
    value = f" value {problem.value!r}" if problem.value is not None else ""
    flag = "BLOCKING" if problem.blocking else "info"
    return f"[{flag}] {place}{value}: {problem.message}"
