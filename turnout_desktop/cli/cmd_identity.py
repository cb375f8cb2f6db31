"""``turnout whoami`` and ``turnout audit verify``."""

from __future__ import annotations

import argparse
import sys

from turnout_desktop.cli.common import context_from_args, print_json

EXIT_AUDIT_BROKEN = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    whoami = subparsers.add_parser("whoami", help="who you act as: user, role and counties the database reports")
    whoami.add_argument("--json", action="store_true", help="print {user, role, counties, backend}")
    whoami.set_defaults(func=run_whoami)
    audit = subparsers.add_parser("audit", help="the audit trail")
    actions = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = actions.add_parser("verify", help="walk the whole hash chain against its anchors; exit 1 naming the "
                                               "first broken seq")
    verify.add_argument("--json", action="store_true", help="print {intact, events, head_seq, head_hash, "
                                                             "broken_seq, reason}")
    verify.set_defaults(func=run_verify)


def run_whoami(args: argparse.Namespace) -> int:
    from turnout_desktop.services.sign_in import LOCAL_LABEL, whoami

    identity = whoami(context_from_args(args))
    if args.json:
        print_json(identity)
        return 0
    if identity.backend != "postgresql":
        print(f"{identity.user} ({LOCAL_LABEL}, {identity.backend})")
        return 0
    counties = f" for {', '.join(sorted(identity.counties))}" if identity.counties is not None else ""
    print(f"{identity.user}: {identity.role}{counties} (postgresql)")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from turnout_desktop.services.audit_trail import verify_audit

    outcome = verify_audit(context_from_args(args))
    if args.json:
        print_json(outcome.to_json())
    elif outcome.intact:
        print(f"audit chain intact: {outcome.events} events, head seq {outcome.head_seq} hash {outcome.head_hash}")
    if not outcome.intact:
        print(f"turnout: AUDIT CHAIN BROKEN at seq {outcome.broken_seq}: {outcome.reason}", file=sys.stderr)
        return EXIT_AUDIT_BROKEN
    return 0
