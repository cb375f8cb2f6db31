"""Reconciliation commands: reconcile, status, gate, log, undo, check, export-public (``source``: cmd_source)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from turnout_desktop.cli.cmd_decisions import TRIGGERS, parse_trigger, print_decisions, with_review_states
from turnout_desktop.cli.common import ProgressBar, context_from_args, json_ready, parse_election, print_json
from turnout_desktop.domain.codes import parse_party
from turnout_desktop.domain.counties import known_county_name
from turnout_desktop.domain.labels import (
    CHECK_RESULT_LABELS,
    accuracy_text,
    column_label,
    local_time_text,
    method_label,
    status_label,
    status_text,
    strategy_label,
    trigger_label,
)
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Status
from turnout_desktop.errors import TurnoutError

if TYPE_CHECKING:
    from turnout_desktop.services.reconciliation import DryRunResult, ReconcileResult

EXIT_OK = 0
EXIT_NOT_RESOLVED = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the reconciliation sub-commands."""
    rec = subparsers.add_parser("reconcile", help="reconcile counties with the statewide data")
    rec.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD", help="election date")
    rec.add_argument("--county", help="only this county")
    rec.add_argument("--party", help="only this party (DEM, REP, ...)")
    rec.add_argument("--statewide-source", metavar="PATH|URL",
                     help="statewide source for this run only (folder, file or https URL)")
    rec.add_argument("--dry-run", action="store_true", help="preview the fixes; write nothing")
    rec.add_argument("--strict", action="store_true", help="exit 3 when anything is not RESOLVED")
    rec.add_argument("--json", action="store_true", help="print JSON")
    rec.set_defaults(func=run_reconcile)

    st = subparsers.add_parser("status", help="official vs database counts and the public gate")
    st.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD", help="election date")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.set_defaults(func=run_status)

    gt = subparsers.add_parser("gate", help="may this county/party figure be shown publicly?")
    gt.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD", help="election date")
    gt.add_argument("--county", required=True, help="the county (any spelling of its name)")
    gt.add_argument("--party", required=True, help="DEM, REP, LIB, GRN or ALL")
    gt.add_argument("--json", action="store_true", help="print JSON")
    gt.set_defaults(func=run_gate)

    lg = subparsers.add_parser("log", help="reconciliation log entries with their attempts")
    lg.add_argument("--county", help="only this county")
    lg.add_argument("--election", type=parse_election, metavar="YYYY-MM-DD", help="only this election")
    lg.add_argument("--limit", type=int, default=200, metavar="N",
                    help="at most N entries and N overrides, newest first (default: 200)")
    lg.add_argument("--trigger", type=parse_trigger, metavar="TRIGGER",
                    help=f"only entries of this trigger ({', '.join(TRIGGERS)})")
    lg.add_argument("--json", action="store_true",
                    help='print JSON: {"entries": [...], "overrides": [...]} (overrides in force and revoked)')
    lg.set_defaults(func=run_log)

    undo = subparsers.add_parser("undo", help="reverse one fix exactly and re-reconcile what it touched (admin)")
    undo.add_argument("fix_id", type=int, metavar="FIX_ID", help="the id of the fix to reverse")
    undo.add_argument("--reason", required=True, metavar="TEXT", help="why the fix is undone (audited)")
    undo.add_argument("--json", action="store_true", help="print JSON")
    undo.set_defaults(func=run_undo)

    chk = subparsers.add_parser("check", help="re-verify every county (for cron)")
    chk.add_argument("--election", type=parse_election, metavar="YYYY-MM-DD",
                     help="only this election (default: every election with official counts)")
    chk.add_argument("--strict", action="store_true", help="exit 3 when anything is not RESOLVED")
    chk.add_argument("--json", action="store_true", help="print JSON")
    chk.set_defaults(func=run_check)

    exp = subparsers.add_parser("export-public", help="write the gated public CSV")
    exp.add_argument("--election", required=True, type=parse_election, metavar="YYYY-MM-DD", help="election date")
    exp.add_argument("--out", required=True, type=Path, metavar="FILE.csv", help="the CSV file to write")
    exp.set_defaults(func=run_export_public)


def _county(value: str | None) -> str | None:
    if value is None:
        return None
    return known_county_name(value)


def _party(value: str | None) -> str | None:
    if value is None:
        return None
    party = parse_party(value)
    if party is None:
        raise TurnoutError(f"Unknown party {value!r}: use DEM, REP, LIB, GRN or ALL.")
    return party


def _cell(row: dict[str, Any], column: str) -> str:
    """One cell as people read it: statuses, strategies, triggers and methods in the words the GUI uses (the
    JSON keeps the codes)."""
    value = row.get(column)
    if value is None:
        return ""
    if column == "status":
        return status_text(value, row.get("final_accuracy_pct", row.get("accuracy_pct")))
    if column == "strategy_succeeded":
        from turnout_desktop.services.labels import strategy_labels

        return strategy_label(value, strategy_labels())
    if column == "trigger_type":
        return trigger_label(value)
    if column == "voting_method":
        return method_label(value)
    if column == "check":
        return CHECK_RESULT_LABELS.get(value, value)
    if column in ("accuracy_pct", "final_accuracy_pct"):
        return accuracy_text(value)
    if column == "created_at":  # stored UTC; shown local with its zone, as the GUI does
        return local_time_text(dt.datetime.fromisoformat(str(value)))
    return str(value)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """A plain fixed-width table on stdout, headed by the columns' labels (``domain/labels.py`` COLUMN_LABELS)."""
    cells = [[_cell(row, c) for c in columns] for row in rows]
    headers = [column_label(c) for c in columns]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _exit(results: Sequence[ReconcileResult | DryRunResult], strict: bool) -> int:
    if strict and any(r.status != Status.RESOLVED for r in results):
        return EXIT_NOT_RESOLVED
    return EXIT_OK


RESULT_COLUMNS = ["county", "party", "expected_total", "actual_total", "discrepancy", "final_accuracy_pct",
                  "status", "strategy_succeeded", "attempts_count"]
STATUS_COLUMNS = ["county", "party", "voting_method", "official_count", "database_count", "accuracy_pct", "status",
                  "public_message"]
LOG_COLUMNS = ["id", "created_at", "county", "party", "trigger_type", "status", "final_accuracy_pct",
               "strategy_succeeded", "attempts_count"]
CHECK_COLUMNS = ["county", "party", "check", "status", "final_accuracy_pct", "actual_total", "expected_total"]
TABLE_COLUMNS = (*RESULT_COLUMNS, *STATUS_COLUMNS, *LOG_COLUMNS, *CHECK_COLUMNS)


def run_reconcile(args: argparse.Namespace) -> int:
    """``turnout reconcile``."""
    from turnout_desktop.services import reconciliation

    ctx = context_from_args(args)
    scope = Scope(args.election, county=_county(args.county), party=_party(args.party))
    results: Sequence[ReconcileResult | DryRunResult]
    if args.dry_run:
        results = reconciliation.preview_reconcile(ctx, scope, statewide_source=args.statewide_source)
    else:
        results = reconciliation.reconcile(ctx, scope, statewide_source=args.statewide_source,
                                           progress=ProgressBar("reconcile"))
    if args.json:
        print_json({"results": results})
    else:
        _table([json_ready(r) for r in results], RESULT_COLUMNS)
    return _exit(results, args.strict)


def run_status(args: argparse.Namespace) -> int:
    """``turnout status``."""
    from turnout_desktop.services import reconciliation

    rows = reconciliation.status(context_from_args(args), args.election)
    if args.json:
        print_json({"counties": rows})
    else:
        _table([json_ready(row) for row in rows], STATUS_COLUMNS)
    return EXIT_OK


def run_gate(args: argparse.Namespace) -> int:
    """``turnout gate``."""
    from turnout_desktop.services import reconciliation

    decision = reconciliation.gate(context_from_args(args), Scope(args.election, _county(args.county) or args.county,
                                                                  _party(args.party) or args.party))
    if args.json:
        print_json(decision)
    else:
        print(f"{'allowed' if decision.allowed else 'blocked'}: {decision.message}")
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    """``turnout log``."""
    from turnout_desktop.services import reconciliation
    from turnout_desktop.services.fixes import list_overrides

    ctx = context_from_args(args)
    entries = with_review_states(reconciliation.log_entries(ctx, county=_county(args.county), election=args.election,
                                                            limit=args.limit, trigger=args.trigger))
    overrides = list_overrides(ctx, county=_county(args.county), election=args.election, limit=args.limit)
    if args.json:
        print_json({"entries": entries, "overrides": overrides})
    else:
        _table([json_ready(entry) for entry in entries], LOG_COLUMNS)
        print_decisions(entries, overrides)
    return EXIT_OK


def run_undo(args: argparse.Namespace) -> int:
    """``turnout undo FIX_ID``."""
    from turnout_desktop.services.fixes import undo_fix

    result = undo_fix(context_from_args(args), args.fix_id, reason=args.reason)
    if args.json:
        print_json(result)
    else:
        print(f"fix {args.fix_id} undone; re-reconciled: " + (", ".join(
            f"{row.county} {row.party} {status_label(row.status)}" for row in result.reconciled) or "nothing"))
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """``turnout check``: heal what changed, leave a trace, watch the audit trail and certified figures."""
    from turnout_desktop.services.audit_trail import verify_audit
    from turnout_desktop.services.check import run_check as check

    ctx = context_from_args(args)
    report = check(ctx, args.election, progress=ProgressBar("check"))
    audit = verify_audit(ctx)  # the hourly check is also the trail's watchman: a break is an alarm
    if args.json:
        print_json({"results": report.results, "checks": [e.to_json() for e in report.elections],
                    "audit": audit.to_json()})
    else:
        _table([json_ready(r) for r in report.results], CHECK_COLUMNS)
        for election in report.elections:
            print(election.sentence())
    alarm = False
    if not audit.intact:
        print(f"turnout: ALARM: AUDIT CHAIN BROKEN at seq {audit.broken_seq}: {audit.reason}", file=sys.stderr)
        alarm = True
    for drift in report.drift_alarms:
        scope = drift.county or "the whole election"
        print(f"turnout: ALARM: certified figures changed underneath: {scope} {drift.election} (certified on "
              f"{drift.certified_at[:10]} by {drift.certified_by}); nothing was fixed", file=sys.stderr)
        alarm = True
    if alarm:
        return 1
    return _exit(report.results, args.strict)


def run_export_public(args: argparse.Namespace) -> int:
    """``turnout export-public``."""
    from turnout_desktop.services import reconciliation

    written = reconciliation.export_public(context_from_args(args), args.election, args.out)
    print(f"{written} gated-in figure(s) written to {args.out}")
    return EXIT_OK
