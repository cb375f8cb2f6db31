"""Admin decisions from the command line: ``override``, ``override revoke``, ``review``; how ``log`` shows them.

The same services as the GUI's escalation dialog (``services/fixes.py``): the role check, the written
reason and the audit event all happen there, so the CLI and the GUI cannot disagree.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from turnout_desktop.cli.common import context_from_args, parse_election, print_json
from turnout_desktop.domain.codes import parse_party
from turnout_desktop.domain.decisions import ReviewState
from turnout_desktop.domain.labels import review_label, status_label
from turnout_desktop.domain.scope import Scope
from turnout_desktop.domain.status import Trigger
from turnout_desktop.errors import InvalidRequest

if TYPE_CHECKING:
    from turnout_desktop.services.fixes_results import OverrideListing
    from turnout_desktop.services.reconciliation_results import LogEntry

EXIT_OK = 0
# Every trigger a run writes to reconciliation_log.trigger_type, as ``log --trigger`` lists them.
TRIGGERS = tuple(sorted(trigger.value for trigger in Trigger))

OVERRIDE_HELP = """Two forms:
  turnout override --election D --county C --party P --reason TEXT [--json]
      publish the county/party figure by override (status RESOLVED); it replaces an override in force
  turnout override revoke ID --reason TEXT [--json]
      revoke override ID (see `turnout log --json`, key "overrides"); the computed status shows again

Admin only; the reason is required and goes to the audit log."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``override`` (with its ``revoke`` action) and ``review``."""
    ov = subparsers.add_parser("override", help="publish a county/party figure by override, or revoke one (admin)",
                               description=OVERRIDE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    ov.add_argument("--election", type=parse_election, metavar="YYYY-MM-DD", help="election date (required)")
    ov.add_argument("--county", help="the county (required)")
    ov.add_argument("--party", help="DEM, REP, LIB, GRN or ALL (required)")
    ov.add_argument("--reason", metavar="TEXT", help="why the figure may be published (required)")
    ov.add_argument("--json", action="store_true", help="print JSON")
    ov.set_defaults(func=run_override, override_action=None)
    actions = ov.add_subparsers(dest="override_action", metavar="[revoke ID]")
    revoke = actions.add_parser("revoke", help="revoke override ID (the computed status shows again)",
                                description="Revoke override ID; admin only, with a written reason.")
    revoke.add_argument("override_id", type=int, metavar="ID",
                        help="the override's id (`turnout log --json`, key \"overrides\")")
    revoke.add_argument("--reason", required=True, metavar="TEXT", help="why it is revoked (required)")
    revoke.add_argument("--json", action="store_true", help="print JSON")
    revoke.set_defaults(func=run_revoke)

    rv = subparsers.add_parser(
        "review", help="record the review state of an escalation (admin)",
        description="Set the review state of an escalation: ESCALATION_ID is the id of an ESCALATED entry of "
                    "`turnout log`. An escalation nobody reviewed is open. Admin only; the reason is required "
                    "and goes to the audit log.")
    rv.add_argument("log_id", type=int, metavar="ESCALATION_ID", help="the id of an ESCALATED entry of `turnout log`")
    rv.add_argument("--state", required=True, choices=[state.value for state in ReviewState],
                    help="the review state to record")
    rv.add_argument("--reason", required=True, metavar="TEXT", help="what was found or decided (required)")
    rv.add_argument("--json", action="store_true", help="print JSON")
    rv.set_defaults(func=run_review)


def run_override(args: argparse.Namespace) -> int:
    """``turnout override --election D --county C --party P --reason TEXT``."""
    from turnout_desktop.services.fixes import override

    missing = [f"--{name}" for name in ("election", "county", "party", "reason") if getattr(args, name) is None]
    if missing:
        raise InvalidRequest(f"override needs {', '.join(missing)} (or: turnout override revoke ID --reason TEXT).")
    party = parse_party(args.party)
    if party is None:
        raise InvalidRequest(f"Unknown party {args.party!r}: use DEM, REP, LIB, GRN or ALL.")
    result = override(context_from_args(args), Scope(args.election, args.county, party), reason=args.reason)
    if args.json:
        print_json(result)
    else:
        replaced = result.replaced_override_id
        print(f"override {result.id} in force: {result.county} {result.party} {result.election_date} "
              f"published by override ({result.reason})"
              + (f"; replaces override {replaced}" if replaced is not None else ""))
    return EXIT_OK


def run_revoke(args: argparse.Namespace) -> int:
    """``turnout override revoke ID --reason TEXT``."""
    from turnout_desktop.services.fixes import revoke_override

    result = revoke_override(context_from_args(args), args.override_id, args.reason)
    if args.json:
        print_json(result)
    else:
        print(f"override {result.id} revoked: {result.county} {result.party} {result.election_date} "
              f"shows its computed status again")
    return EXIT_OK


def run_review(args: argparse.Namespace) -> int:
    """``turnout review ESCALATION_ID --state STATE --reason TEXT``."""
    from turnout_desktop.services.fixes import mark_reviewed

    result = mark_reviewed(context_from_args(args), args.log_id, args.state, args.reason)
    if args.json:
        print_json(result)
    else:
        print(f"escalation {result.log_id} ({result.county} {result.party}) marked "
              f"{review_label(result.review_state)}: {result.review_reason}")
    return EXIT_OK


def parse_trigger(text: str) -> str:
    """``log --trigger``: one of TRIGGERS, any case."""
    trigger = text.strip().upper()
    if trigger not in TRIGGERS:
        raise argparse.ArgumentTypeError(f"unknown trigger {text!r}: use {', '.join(TRIGGERS)}")
    return trigger


def with_review_states(entries: Sequence[LogEntry]) -> tuple[LogEntry, ...]:
    """Entries whose stored review state is an old value (contacted_county, accepted) read as the new states."""
    from turnout_desktop.services.fixes import review_state_of

    return tuple(dataclasses.replace(entry, review_state=review_state_of(entry.review_state)) for entry in entries)


def print_decisions(entries: Sequence[LogEntry], overrides: Sequence[OverrideListing]) -> None:
    """The text form of ``log``: one line per reviewed escalation, one per override (after the table)."""
    for entry in entries:
        if entry.review_state:
            print(f"review    log {entry.id}  {entry.county} {entry.party}  {review_label(entry.review_state)}: "
                  f"{entry.review_reason or ''}")
    for row in overrides:
        state = "in force" if row.revoked_at is None else f"revoked {row.revoked_at}"
        print(f"override  {row.id}  {row.county} {row.party} {row.election_date}  {status_label(row.status)} by "
              f"{row.created_by} {row.created_at} ({state}): {row.reason}")
