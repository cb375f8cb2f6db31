"""The files behind ``turnout schedule``: systemd user units, a Task Scheduler task, a launchd agent.

Pure text generators and their readers, with no file system and no platform command: services/schedule.py
writes the files and runs ``systemctl`` / ``schtasks`` / ``launchctl``. A job is the absolute command line of
``turnout --db URL check`` plus how often it runs; no password ever appears in it (the URL given here has
none: services/schedule.py takes it out).
"""

from __future__ import annotations

import datetime as dt
import plistlib
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from turnout_desktop.errors import InvalidRequest

MIN_INTERVAL_MINUTES = 5  # more often than this only loads the shared server; a check takes minutes
MAX_INTERVAL_MINUTES = 24 * 60  # Task Scheduler and launchd both handle a day; a rarer check is no watchman
SERVICE_UNIT = "turnout-check.service"
TIMER_UNIT = "turnout-check.timer"
EVERY_KEY = "X-TurnoutEveryMinutes"  # systemd ignores keys starting with X-: status reads the interval back
LAUNCHD_LABEL = "org.turnoutdesktop.check"
TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"
_EVERY_PATTERN = re.compile(r"^\s*(\d{1,5})\s*(m|min|h)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduled check: ``argv`` is the program (absolute) and its arguments; no password anywhere."""

    argv: tuple[str, ...]
    interval_minutes: int
    environment: tuple[tuple[str, str], ...] = ()  # passed to the job on systemd and launchd


def parse_every(text: str) -> int:
    """Minutes in ``15m``, ``60m`` or ``2h``; InvalidRequest (exit 2) for anything else or out of range."""
    match = _EVERY_PATTERN.match(text or "")
    if match is None:
        raise InvalidRequest(f"--every takes minutes or hours such as 15m, 60m or 2h, not {text!r}.")
    minutes = int(match.group(1)) * (60 if match.group(2).lower() == "h" else 1)
    check_interval(minutes)
    return minutes


def check_interval(minutes: int) -> None:
    if not MIN_INTERVAL_MINUTES <= minutes <= MAX_INTERVAL_MINUTES:
        raise InvalidRequest(f"The check interval must be between {MIN_INTERVAL_MINUTES} minutes and "
                             f"{MAX_INTERVAL_MINUTES // 60} hours, not {minutes} minutes.")


def format_every(minutes: int) -> str:
    """``2h`` for whole hours, else ``15m``: the form ``--every`` takes."""
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def database_of(argv: Sequence[str]) -> str | None:
    """The ``--db`` value of a job's command line (the job pins the database it checks)."""
    for position, word in enumerate(argv[:-1]):
        if word == "--db":
            return argv[position + 1]
    return None


# -- systemd ----------------------------------------------------------------------------------------
def _refuse_control_characters(word: str) -> None:
    if any(ord(char) < 32 for char in word):
        raise InvalidRequest(f"A scheduled command cannot contain control characters: {word!r}.")


def systemd_quote(word: str) -> str:
    """One word of an ``ExecStart=`` line (systemd.service "Command lines").

    ``%`` starts a specifier and ``$`` a variable even inside quotes, so both are doubled; a word with
    blanks, quotes, a backslash or a semicolon is double-quoted with C-style escapes.
    """
    _refuse_control_characters(word)
    escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    if not word or any(char.isspace() or char in "\"'\\;" for char in word):
        return f'"{escaped}"'
    return escaped


def split_systemd_command(line: str) -> tuple[str, ...]:
    """The words of an ``ExecStart=`` value written by :func:`systemd_quote` (its exact inverse)."""
    words: list[str] = []
    current: list[str] = []
    quote: str | None = None
    started = False
    position = 0
    while position < len(line):
        char = line[position]
        if char == "\\" and position + 1 < len(line):
            current.append(line[position + 1])
            position += 2
            started = True
            continue
        if quote is not None and char == quote:
            quote = None
        elif quote is None and char in "\"'":
            quote, started = char, True
        elif quote is None and char.isspace():
            if started:
                words.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
        position += 1
    if started:
        words.append("".join(current))
    return tuple(word.replace("%%", "%").replace("$$", "$") for word in words)


def _systemd_environment(name: str, value: str) -> str:
    _refuse_control_characters(value)
    escaped = f"{name}={value}".replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'Environment="{escaped}"'


def systemd_service(job: JobSpec) -> str:
    """``turnout-check.service``: one run of ``turnout check`` (a oneshot the timer starts)."""
    lines = ["# Written by `turnout schedule install`; `turnout schedule remove` deletes it.",
             "[Unit]", "Description=Turnout Desktop: re-verify every county (turnout check)", "",
             "[Service]", "Type=oneshot"]
    lines += [_systemd_environment(name, value) for name, value in job.environment]
    lines.append("ExecStart=" + " ".join(systemd_quote(word) for word in job.argv))
    return "\n".join(lines) + "\n"


def systemd_timer(job: JobSpec) -> str:
    """``turnout-check.timer``: wall-clock times when the interval divides an hour or a day, else monotonic.

    Calendar times with ``Persistent=true`` catch up a check missed while the computer was off; a spread of
    up to 5 minutes keeps many offices from reaching the shared server in the same second.
    """
    minutes = job.interval_minutes
    check_interval(minutes)
    if minutes < 60 and 60 % minutes == 0:
        schedule = [f"OnCalendar=*-*-* *:00/{minutes}:00", "Persistent=true"]
    elif minutes % 60 == 0 and 24 % (minutes // 60) == 0:
        schedule = [f"OnCalendar=*-*-* 00/{minutes // 60}:00:00", "Persistent=true"]
    else:  # e.g. 45m or 90m: no calendar expression; counted from the last run instead
        schedule = ["OnStartupSec=5min", f"OnUnitActiveSec={minutes}min"]
    spread = min(300, minutes * 60 // 10)
    lines = ["# Written by `turnout schedule install`; `turnout schedule remove` deletes it.",
             "[Unit]", f"Description=Run turnout check every {format_every(minutes)}", "",
             "[Timer]", *schedule, f"RandomizedDelaySec={spread}", f"Unit={SERVICE_UNIT}",
             f"{EVERY_KEY}={minutes}", "", "[Install]", "WantedBy=timers.target"]
    return "\n".join(lines) + "\n"


def unit_values(text: str) -> dict[str, str]:
    """``Section.Key`` -> value of a unit file (the last value wins; comments and blank lines skipped)."""
    values: dict[str, str] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, separator, value = line.partition("=")
        if separator:
            values[f"{section}.{key.strip()}"] = value.strip()
    return values


# -- Windows Task Scheduler --------------------------------------------------------------------------
def task_scheduler_xml(job: JobSpec, *, start: dt.datetime, description: str) -> str:
    """The task for ``schtasks /Create /XML`` (write it UTF-16: schtasks refuses other encodings).

    It runs only while the user is logged on (``InteractiveToken``): running logged off would need the
    Windows password stored with the task or the batch logon right, which an office PC rarely grants.
    """
    minutes = job.interval_minutes
    check_interval(minutes)
    ET.register_namespace("", TASK_NAMESPACE)

    def element(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        child = ET.SubElement(parent, f"{{{TASK_NAMESPACE}}}{tag}")
        if text is not None:
            child.text = text
        return child

    for word in job.argv:
        _refuse_control_characters(word)
    task = ET.Element(f"{{{TASK_NAMESPACE}}}Task", {"version": "1.2"})
    element(element(task, "RegistrationInfo"), "Description", description)
    trigger = element(element(task, "Triggers"), "TimeTrigger")
    repetition = element(trigger, "Repetition")
    element(repetition, "Interval", f"PT{minutes}M")
    element(repetition, "StopAtDurationEnd", "false")
    element(trigger, "StartBoundary", start.replace(microsecond=0, tzinfo=None).isoformat())
    element(trigger, "Enabled", "true")
    principal = element(element(task, "Principals"), "Principal")
    principal.set("id", "Author")
    element(principal, "LogonType", "InteractiveToken")
    element(principal, "RunLevel", "LeastPrivilege")
    settings = element(task, "Settings")
    for tag, text in (("MultipleInstancesPolicy", "IgnoreNew"), ("DisallowStartIfOnBatteries", "false"),
                      ("StopIfGoingOnBatteries", "false"), ("StartWhenAvailable", "true"),
                      ("ExecutionTimeLimit", f"PT{max(minutes, 60)}M"), ("Enabled", "true")):
        element(settings, tag, text)
    actions = element(task, "Actions")
    actions.set("Context", "Author")
    execute = element(actions, "Exec")
    element(execute, "Command", job.argv[0])
    element(execute, "Arguments", subprocess.list2cmdline(job.argv[1:]))
    body = ET.tostring(task, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-16"?>\n' + body + "\n"


def read_task_xml(text: str) -> tuple[int | None, tuple[str, ...]]:
    """(interval minutes, command line) of a task as ``schtasks /Query /XML`` prints it."""
    root = ET.fromstring(text.lstrip("\ufeff"))
    space = {"t": TASK_NAMESPACE}
    interval = root.findtext(".//t:Triggers/t:TimeTrigger/t:Repetition/t:Interval", namespaces=space)
    command = root.findtext(".//t:Actions/t:Exec/t:Command", namespaces=space) or ""
    arguments = root.findtext(".//t:Actions/t:Exec/t:Arguments", namespaces=space) or ""
    return _iso_minutes(interval), (command, *split_windows_arguments(arguments))


def _iso_minutes(duration: str | None) -> int | None:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", duration or "")
    if match is None or not any(match.groups()):
        return None
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def split_windows_arguments(text: str) -> tuple[str, ...]:
    """The words of a Windows command line (the inverse of ``subprocess.list2cmdline``)."""
    words: list[str] = []
    current: list[str] = []
    quoted = started = False
    position = 0
    while position < len(text):
        char = text[position]
        if char == "\\":
            end = position
            while end < len(text) and text[end] == "\\":
                end += 1
            count = end - position
            if end < len(text) and text[end] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    end += 1
            else:
                current.append("\\" * count)
            position, started = end, True
            continue
        if char == '"':
            quoted, started = not quoted, True
        elif char in " \t" and not quoted:
            if started:
                words.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
        position += 1
    if started:
        words.append("".join(current))
    return tuple(words)


# -- macOS launchd ------------------------------------------------------------------------------------
def launchd_plist(job: JobSpec, *, log_file: str) -> bytes:
    """The LaunchAgent: ``StartInterval`` seconds; output to ``log_file`` (launchd has no journal per job)."""
    check_interval(job.interval_minutes)
    agent: dict[str, object] = {
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": list(job.argv),
        "StartInterval": job.interval_minutes * 60,
        "RunAtLoad": False,
        "ProcessType": "Background",
        "StandardOutPath": log_file,
        "StandardErrorPath": log_file,
    }
    if job.environment:
        agent["EnvironmentVariables"] = dict(job.environment)
    return plistlib.dumps(agent, fmt=plistlib.FMT_XML)


def read_launchd_plist(data: bytes) -> tuple[int | None, tuple[str, ...]]:
    """(interval minutes, command line) of an agent written by :func:`launchd_plist`."""
    agent = plistlib.loads(data)
    seconds = agent.get("StartInterval")
    return (seconds // 60 if isinstance(seconds, int) else None), tuple(agent.get("ProgramArguments", ()))
