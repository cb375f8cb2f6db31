"""The statewide source: ``source set PATH|URL [--no-probe]`` and ``source show [--json]``."""

from __future__ import annotations

import argparse

from turnout_desktop.cli.common import context_from_args, print_json

EXIT_OK = 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``source`` command group."""
    src = subparsers.add_parser("source", help="the statewide source (folder, file or https URL)")
    src_sub = src.add_subparsers(dest="source_command", required=True, metavar="ACTION")
    src_set = src_sub.add_parser(
        "set", help="store the statewide source (admin)",
        description="Store a folder or file (as an absolute path; it must exist and be readable) or an https "
                    "URL (plain http only to 127.0.0.1/::1/localhost). A URL is probed first; exit 2 when the "
                    "source is refused.")
    src_set.add_argument("path", metavar="PATH|URL", help="a folder, a file or an https URL")
    src_set.add_argument("--no-probe", action="store_true", help="store a URL without asking the server first")
    src_set.set_defaults(func=run_source_set)
    src_show = src_sub.add_parser("show", help="print the statewide source, its kind and the last download")
    src_show.add_argument("--json", action="store_true", help="print JSON")
    src_show.set_defaults(func=run_source_show)


def run_source_set(args: argparse.Namespace) -> int:
    """``turnout source set PATH|URL [--no-probe]``."""
    from turnout_desktop.services import reconciliation

    stored = reconciliation.set_statewide_source(context_from_args(args), args.path, probe=not args.no_probe)
    print(f"statewide source set to {stored}")
    return EXIT_OK


def run_source_show(args: argparse.Namespace) -> int:
    """``turnout source show [--json]``."""
    from turnout_desktop.services import reconciliation

    info = reconciliation.describe_statewide_source(context_from_args(args))
    if args.json:
        print_json(info)
        return EXIT_OK
    if not info.statewide_source:
        print("(no statewide source configured)")
        return EXIT_OK
    print(f"{info.statewide_source} ({info.kind})")
    cache = info.cache
    if cache:
        print(f"last download: {cache.file} fetched {cache.fetched_at} (ETag {cache.etag or '-'}, "
              f"Last-Modified {cache.last_modified or '-'})")
    return EXIT_OK
