"""``turnout schedule``: run ``turnout check`` on a timer while the app is closed, for this user only.

Linux gets a systemd user timer (~/.config/systemd/user), Windows a Task Scheduler task, macOS a launchd
agent (~/Library/LaunchAgents). The job pins the database the user works with (``--db``, else
TURNOUT_DB_URL, else the local file) but never a password: on PostgreSQL the job signs in like any
unattended ``turnout`` run, through libpq's password file (~/.pgpass; on Windows
%APPDATA%\\postgresql\\pgpass.conf). The platform command runs through an injectable ``CommandRunner`` so
tests write real files into a temporary home and only record the commands.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath, PureWindowsPath

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from turnout_desktop.db.session import resolve_db_url, url_without_secrets
from turnout_desktop.errors import InvalidRequest, TurnoutError
from turnout_desktop.services import schedule_units as units

LINUX, WINDOWS, MACOS = "linux", "windows", "macos"
SCHEDULERS = {LINUX: "systemd user timer", WINDOWS: "Task Scheduler task", MACOS: "launchd agent"}
TASK_NAME = "TurnoutDesktop Check"
COMMAND_TIMEOUT_SECONDS = 60
# Settings of libpq and of Turnout that the job needs to reach the same database; PGPASSWORD never.
PASSED_ENVIRONMENT = ("TURNOUT_DATA_DIR", "PGPASSFILE", "PGSERVICEFILE", "PGSYSCONFDIR", "PGSSLROOTCERT",
                      "PGSSLCERT", "PGSSLKEY")


class PlatformCommandMissing(TurnoutError):
    """``systemctl`` / ``schtasks`` / ``launchctl`` is not on this computer (exit 2)."""


class ScheduleCommandFailed(TurnoutError):
    """The platform command refused; the message carries what it printed (exit 1)."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    returncode: int
    stdout: str = ""
    stderr: str = ""


CommandRunner = Callable[[Sequence[str]], CommandOutcome]


def run_platform_command(argv: Sequence[str]) -> CommandOutcome:
    """Run ``argv`` and capture its output; a missing program is PlatformCommandMissing."""
    try:
        completed = subprocess.run(list(argv), capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS,
                                   check=False)
    except FileNotFoundError as exc:
        raise PlatformCommandMissing(f"{argv[0]} is not available on this computer, so checks cannot be "
                                     f"scheduled here ({exc.strerror}).") from exc
    except subprocess.TimeoutExpired as exc:
        raise ScheduleCommandFailed(f"`{' '.join(argv)}` did not finish within {COMMAND_TIMEOUT_SECONDS} s.") from exc
    return CommandOutcome(completed.returncode, completed.stdout or "", completed.stderr or "")


@dataclass(frozen=True, slots=True)
class ScheduleHost:
    """Where and how jobs are scheduled: the platform, the user's home, the command runner, the program."""

    platform: str
    home: Path
    runner: CommandRunner = run_platform_command
    program: tuple[str, ...] = ()  # the absolute `turnout` command line; empty: this installation's
    config_home: Path | None = None  # systemd's $XDG_CONFIG_HOME; None: home/.config
    temp_dir: Path | None = None  # where the task XML waits for schtasks; None: the system temp folder
    user_id: int | None = None  # launchd's gui/<uid> domain; None: os.getuid()


@dataclass(frozen=True, slots=True)
class ScheduleStatus:
    """What is scheduled (the ``turnout schedule ... --json`` keys)."""

    installed: bool
    platform: str
    scheduler: str
    every: str | None = None
    interval_minutes: int | None = None
    next_run: str | None = None  # as the platform words it; None when it does not tell
    database: str | None = None
    command: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def current_platform() -> str:
    if sys.platform.startswith("win"):
        return WINDOWS
    return MACOS if sys.platform == "darwin" else LINUX


def default_host() -> ScheduleHost:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return ScheduleHost(platform=current_platform(), home=Path.home(), config_home=Path(xdg) if xdg else None)


def turnout_program() -> tuple[str, ...]:
    """The absolute command that starts this installation's ``turnout``.

    A PyInstaller bundle (``sys.frozen``) ships a console ``turnout`` next to the app; otherwise the running
    interpreter runs the CLI module. The interpreter path is made absolute but not resolved: a virtual
    environment's python is a symlink, and resolving it would leave the environment's packages behind.
    """
    executable = Path(sys.executable).absolute()
    if getattr(sys, "frozen", False):
        console = executable.parent / ("turnout.exe" if os.name == "nt" else "turnout")
        if console.is_file():
            return (str(console),)
        raise InvalidRequest(f"This installation has no console program {console.name} next to {executable}: "
                             "reinstall the bundle to schedule checks.")
    windowless = executable.with_name("pythonw.exe")
    if os.name == "nt" and windowless.is_file():  # no console window flashing up at every check
        executable = windowless
    return (str(executable), "-m", "turnout_desktop.cli.main")


def job_database(db_url: str | None) -> tuple[str, tuple[str, ...]]:
    """The URL the job checks (absolute, without a password) and notes for the user about it."""
    resolved = resolve_db_url(db_url)
    if resolved.startswith("postgres://"):  # the short scheme every other command accepts
        resolved = "postgresql://" + resolved.split("://", 1)[1]
    try:
        url = make_url(resolved)
    except (ArgumentError, ValueError) as exc:
        raise InvalidRequest(f"Not a database URL: {resolved!r}") from exc
    notes: list[str] = []
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:":
            raise InvalidRequest("An in-memory database cannot be checked by a scheduled job: name a file.")
        if database.startswith("file:") or PurePosixPath(database).is_absolute() or \
                PureWindowsPath(database).is_absolute():
            return resolved, ()  # as given: re-rendering the URL would percent-encode a drive's colon
        query = resolved.partition("?")[2]  # the job starts in another folder: pin the file absolutely
        return f"sqlite:///{Path(database).absolute()}" + (f"?{query}" if query else ""), ()
    if backend != "postgresql":
        raise InvalidRequest(f"Unsupported database {backend!r}: use sqlite or postgresql.")
    clean, removed = url_without_secrets(resolved)
    if removed:
        url = make_url(clean)
        notes.append("The password in the database URL was not written into the job.")
    notes.append(f"On the shared server the job signs in as {url.username or 'your system user'} with the "
                 f"password from {_pgpass_location()} (no password is stored in the job).")
    if not _pgpass_path().is_file():
        notes.append(f"{_pgpass_location()} does not exist yet: create it (host:port:database:user:password, "
                     "readable only by you) or the scheduled check cannot sign in.")
    return url.render_as_string(hide_password=False), tuple(notes)


def _pgpass_path() -> Path:
    configured = os.environ.get("PGPASSFILE")
    if configured:
        return Path(configured)
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", "")) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _pgpass_location() -> str:
    return str(_pgpass_path())


def build_job(every_minutes: int, db_url: str | None, program: Sequence[str]) -> tuple[units.JobSpec, tuple[str, ...]]:
    units.check_interval(every_minutes)
    database, notes = job_database(db_url)
    environment = tuple((name, os.environ[name]) for name in PASSED_ENVIRONMENT if os.environ.get(name))
    argv = (*program, "--db", database, "check")
    return units.JobSpec(argv=argv, interval_minutes=every_minutes, environment=environment), notes


def install(every_minutes: int, db_url: str | None = None, host: ScheduleHost | None = None) -> ScheduleStatus:
    """Create (or replace) this user's scheduled ``turnout check`` and start its timer.

    Raises:
        InvalidRequest: a bad interval or database URL (exit 2).
        PlatformCommandMissing: no systemctl / schtasks / launchctl (exit 2).
        ScheduleCommandFailed: the platform refused; nothing stays installed (exit 1).
    """
    host = host or default_host()
    job, notes = build_job(every_minutes, db_url, host.program or turnout_program())
    {LINUX: _install_systemd, WINDOWS: _install_task, MACOS: _install_launchd}[_platform(host)](host, job)
    installed = status(host)
    return replace(installed, notes=notes + installed.notes)


NOTHING_INSTALLED = "No scheduled check was installed."


def remove(host: ScheduleHost | None = None) -> ScheduleStatus:
    """Stop and delete the scheduled check; nothing installed is not an error (a note says so)."""
    host = host or default_host()
    before = status(host)
    if not before.installed:
        return replace(before, notes=(NOTHING_INSTALLED,))
    {LINUX: _remove_systemd, WINDOWS: _remove_task, MACOS: _remove_launchd}[_platform(host)](host)
    return replace(status(host), notes=("The scheduled check was removed.",))


def status(host: ScheduleHost | None = None) -> ScheduleStatus:
    """Whether a check is scheduled, how often, against which database, and when next if the platform tells."""
    host = host or default_host()
    return {LINUX: _status_systemd, WINDOWS: _status_task, MACOS: _status_launchd}[_platform(host)](host)


def _platform(host: ScheduleHost) -> str:
    if host.platform not in SCHEDULERS:
        raise InvalidRequest(f"Scheduling is not supported on {host.platform!r} (linux, windows or macos).")
    return host.platform


def _checked(host: ScheduleHost, *argv: str) -> CommandOutcome:
    outcome = host.runner(argv)
    if outcome.returncode != 0:
        said = (outcome.stderr or outcome.stdout).strip() or f"exit status {outcome.returncode}"
        raise ScheduleCommandFailed(f"`{' '.join(argv)}` failed: {said}")
    return outcome


def _described(host: ScheduleHost, interval: int | None, argv: tuple[str, ...], *, next_run: str | None = None,
               files: tuple[str, ...] = (), notes: tuple[str, ...] = ()) -> ScheduleStatus:
    return ScheduleStatus(installed=True, platform=host.platform, scheduler=SCHEDULERS[host.platform],
                          every=units.format_every(interval) if interval else None, interval_minutes=interval,
                          next_run=next_run, database=units.database_of(argv), command=argv, files=files,
                          notes=notes)


# -- systemd ------------------------------------------------------------------------------------------
def systemd_unit_dir(host: ScheduleHost) -> Path:
    return (host.config_home or host.home / ".config") / "systemd" / "user"


def _install_systemd(host: ScheduleHost, job: units.JobSpec) -> None:
    folder = systemd_unit_dir(host)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / units.SERVICE_UNIT, folder / units.TIMER_UNIT]
    written[0].write_text(units.systemd_service(job), encoding="utf-8")
    written[1].write_text(units.systemd_timer(job), encoding="utf-8")
    try:
        _checked(host, "systemctl", "--user", "daemon-reload")
        _checked(host, "systemctl", "--user", "enable", "--now", units.TIMER_UNIT)
    except TurnoutError:
        for path in written:  # a timer systemd never took is not "installed"
            path.unlink(missing_ok=True)
        raise


def _remove_systemd(host: ScheduleHost) -> None:
    _checked(host, "systemctl", "--user", "disable", "--now", units.TIMER_UNIT)
    folder = systemd_unit_dir(host)
    for name in (units.TIMER_UNIT, units.SERVICE_UNIT):
        (folder / name).unlink(missing_ok=True)
    _checked(host, "systemctl", "--user", "daemon-reload")


def _status_systemd(host: ScheduleHost) -> ScheduleStatus:
    folder = systemd_unit_dir(host)
    service, timer = folder / units.SERVICE_UNIT, folder / units.TIMER_UNIT
    if not timer.is_file():
        return ScheduleStatus(installed=False, platform=host.platform, scheduler=SCHEDULERS[host.platform])
    timer_values = units.unit_values(timer.read_text(encoding="utf-8"))
    service_values = units.unit_values(service.read_text(encoding="utf-8")) if service.is_file() else {}
    every = timer_values.get(f"Timer.{units.EVERY_KEY}", "")
    argv = units.split_systemd_command(service_values.get("Service.ExecStart", ""))
    next_run, notes = None, []
    try:
        shown = host.runner(("systemctl", "--user", "show", units.TIMER_UNIT,
                             "--property=NextElapseUSecRealtime", "--property=ActiveState"))
        properties = dict(line.partition("=")[::2] for line in shown.stdout.splitlines() if "=" in line)
        next_run = properties.get("NextElapseUSecRealtime") or None
        if shown.returncode != 0 or properties.get("ActiveState") != "active":
            notes.append("The timer is not active: run `turnout schedule install` again.")
    except PlatformCommandMissing:
        notes.append("systemctl is not available: the timer cannot run on this computer.")
    return _described(host, int(every) if every.isdigit() else None, argv, next_run=next_run,
                      files=(str(service), str(timer)), notes=tuple(notes))


# -- Windows Task Scheduler ----------------------------------------------------------------------------
def _install_task(host: ScheduleHost, job: units.JobSpec) -> None:
    document = units.task_scheduler_xml(job, start=dt.datetime.now(),
                                        description=f"Turnout Desktop: turnout check every "
                                                    f"{units.format_every(job.interval_minutes)}")
    handle, name = tempfile.mkstemp(prefix="turnout-task-", suffix=".xml", dir=host.temp_dir)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(document.encode("utf-16"))  # with a byte order mark, as schtasks wants
        _checked(host, "schtasks", "/Create", "/TN", TASK_NAME, "/XML", name, "/F")
    finally:
        Path(name).unlink(missing_ok=True)


def _remove_task(host: ScheduleHost) -> None:
    _checked(host, "schtasks", "/Delete", "/TN", TASK_NAME, "/F")


def _status_task(host: ScheduleHost) -> ScheduleStatus:
    query = host.runner(("schtasks", "/Query", "/TN", TASK_NAME, "/XML"))
    if query.returncode != 0 or "<Task" not in query.stdout:
        return ScheduleStatus(installed=False, platform=host.platform, scheduler=SCHEDULERS[host.platform])
    interval, argv = units.read_task_xml(query.stdout)
    details = host.runner(("schtasks", "/Query", "/TN", TASK_NAME, "/FO", "LIST", "/V"))
    next_run = None
    for line in details.stdout.splitlines():  # English wording only; other languages show no next run
        label, _, value = line.partition(":")
        if label.strip() == "Next Run Time" and value.strip():
            next_run = value.strip()
            break
    return _described(host, interval, argv, next_run=next_run)


# -- macOS launchd ------------------------------------------------------------------------------------
def launchd_plist_path(host: ScheduleHost) -> Path:
    return host.home / "Library" / "LaunchAgents" / f"{units.LAUNCHD_LABEL}.plist"


def _launchd_domain(host: ScheduleHost) -> str:
    user_id = host.user_id if host.user_id is not None else os.getuid()
    return f"gui/{user_id}"


def _install_launchd(host: ScheduleHost, job: units.JobSpec) -> None:
    plist = launchd_plist_path(host)
    logs = host.home / "Library" / "Logs" / "TurnoutDesktop"
    plist.parent.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    plist.write_bytes(units.launchd_plist(job, log_file=str(logs / "check.log")))
    domain = _launchd_domain(host)
    host.runner(("launchctl", "bootout", f"{domain}/{units.LAUNCHD_LABEL}"))  # an older agent; none is fine
    try:
        _checked(host, "launchctl", "bootstrap", domain, str(plist))
    except TurnoutError:
        plist.unlink(missing_ok=True)
        raise


def _remove_launchd(host: ScheduleHost) -> None:
    host.runner(("launchctl", "bootout", f"{_launchd_domain(host)}/{units.LAUNCHD_LABEL}"))  # not loaded: fine
    launchd_plist_path(host).unlink(missing_ok=True)


def _status_launchd(host: ScheduleHost) -> ScheduleStatus:
    plist = launchd_plist_path(host)
    if not plist.is_file():
        return ScheduleStatus(installed=False, platform=host.platform, scheduler=SCHEDULERS[host.platform])
    interval, argv = units.read_launchd_plist(plist.read_bytes())
    notes: tuple[str, ...] = ()
    try:
        loaded = host.runner(("launchctl", "print", f"{_launchd_domain(host)}/{units.LAUNCHD_LABEL}"))
        if loaded.returncode != 0:
            notes = ("The agent is not loaded: run `turnout schedule install` again.",)
    except PlatformCommandMissing:
        notes = ("launchctl is not available: the agent cannot run on this computer.",)
    return _described(host, interval, argv, files=(str(plist),), notes=notes)
