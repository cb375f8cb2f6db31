"""``turnout schedule install|remove|status``: ``turnout check`` on a timer while the app is closed.

The job is this user's own (systemd user timer, Task Scheduler task, launchd agent; services/schedule.py)
and checks the database this command names (``--db`` before the command, else TURNOUT_DB_URL, else the
local file). Exit codes: 0 done; 2 a bad ``--every``, a bad database URL or no scheduler on this computer;
1 the scheduler refused (its message on stderr).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from turnout_desktop.cli.common import print_json
from turnout_desktop.errors import InvalidRequest
from turnout_desktop.services import schedule_units

if TYPE_CHECKING:  # the service loads SQLAlchemy: only when a schedule command runs, not for --help
    from turnout_desktop.services.schedule import ScheduleStatus

DEFAULT_EVERY = "60m"
EXIT_OK = 0


def parse_every(text: str) -> int:
    """argparse type of ``--every``: minutes; a bad value is a usage error (exit 2)."""
    try:
        return schedule_units.parse_every(text)
    except InvalidRequest as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register(subparsers: argparse._SubParsersAction) -> None:
    schedule = subparsers.add_parser(
        "schedule", help="run `turnout check` on a timer while the app is closed (this user only)",
        description="Schedule `turnout check` for this user: a systemd user timer on Linux, a Task Scheduler "
                    "task on Windows, a launchd agent on macOS. The job checks the database named by --db "
                    "(given before `schedule`), else TURNOUT_DB_URL, else the local file; it never stores a "
                    "password (on PostgreSQL it reads ~/.pgpass).")
    actions = schedule.add_subparsers(dest="schedule_action", required=True, metavar="ACTION")

    install = actions.add_parser("install", help="create or replace the scheduled check and start it")
    install.add_argument("--every", type=parse_every, default=parse_every(DEFAULT_EVERY), metavar="INTERVAL",
                         help=f"how often to check: minutes or hours such as 15m, 60m or 2h, at least "
                              f"{schedule_units.MIN_INTERVAL_MINUTES}m (default {DEFAULT_EVERY})")
    install.add_argument("--json", action="store_true", help="print the installed schedule as JSON")
    install.set_defaults(func=run_install)

    remove = actions.add_parser("remove", help="stop and delete the scheduled check")
    remove.add_argument("--json", action="store_true", help="print the schedule after removal as JSON")
    remove.set_defaults(func=run_remove)

    status = actions.add_parser("status", help="show whether a check is scheduled, how often and for which database")
    status.add_argument("--json", action="store_true",
                        help='print JSON: {"installed", "platform", "scheduler", "every", "interval_minutes", '
                             '"next_run", "database", "command", "files", "notes"}')
    status.set_defaults(func=run_status)


def run_install(args: argparse.Namespace) -> int:
    from turnout_desktop.services import schedule

    return _show(schedule.install(args.every, args.db), args.json, "Installed")


def run_remove(args: argparse.Namespace) -> int:
    from turnout_desktop.services import schedule

    result = schedule.remove()
    return _show(result, args.json, "" if schedule.NOTHING_INSTALLED in result.notes else "Removed")


def run_status(args: argparse.Namespace) -> int:
    from turnout_desktop.services import schedule

    return _show(schedule.status(), args.json, "")


def _show(result: ScheduleStatus, as_json: bool, done: str) -> int:
    if as_json:
        print_json(result)
        return EXIT_OK
    if done:
        print(f"{done}: {result.scheduler}.")
    if result.installed:
        print(f"installed: yes, every {result.every or 'unknown interval'}")
        print(f"database:  {result.database or 'unknown'}")
        print(f"next run:  {result.next_run or 'not reported by the scheduler'}")
        for path in result.files:
            print(f"file:      {path}")
    else:
        print(f"installed: no ({result.scheduler})")
    for note in result.notes:
        print(f"note: {note}")
    return EXIT_OK
